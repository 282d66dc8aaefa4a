// The issuer's signing keys, cached per instance. An unknown `kid` triggers a refetch only when it looks like a
// key id and the cooldown has passed; a JWKS endpoint that fails keeps the cached keys in service.

import { createLocalJWKSet, errors, type CryptoKey, type JSONWebKeySet } from 'jose';
import { usableKeys } from '../jose/keys.ts';
import { BrokerError, RETRY_AFTER_SECONDS } from '../errors.ts';
import { fetchJson, type HttpOptions } from './fetch-json.ts';
import type { CheckedHeader } from './header.ts';

/** Key ids that may cause a refetch: what IdPs use (base64url thumbprints, UUIDs, hex, dotted names). */
export const KID_FORMAT = /^[A-Za-z0-9_.:+=/-]{1,128}$/;

export interface JwksOptions {
  readonly http: HttpOptions;
  /** Clock for the cooldown and the cache age. */
  readonly now: () => Date;
  /** At most one refetch for unknown kids per this many ms (default 60 s). */
  readonly cooldownMs?: number;
  /** Cached keys older than this are refreshed before use; a failed refresh keeps them (default 10 min). */
  readonly maxAgeMs?: number;
  /** Told of every fetch of discovery + JWKS, and whether it brought usable keys (the composition counts them). */
  readonly onFetch?: (ok: boolean) => void;
}

export type KeyResolver = (header: CheckedHeader) => Promise<CryptoKey>;

type LocalSet = ReturnType<typeof createLocalJWKSet>;

export const createKeyResolver = (jwksUri: () => Promise<URL>, options: JwksOptions): KeyResolver => {
  const cooldownMs = options.cooldownMs ?? 60_000;
  const maxAgeMs = options.maxAgeMs ?? 600_000;
  let keys: LocalSet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;
  let pending: Promise<boolean> | undefined;
  const clock = (): number => options.now().getTime();

  /** One fetch at a time; resolves true when fresh keys are in place. */
  const refresh = (): Promise<boolean> =>
    (pending ??= (async () => {
      attemptedAt = clock();
      try {
        const found = usableKeys(await fetchJson(await jwksUri(), options.http));
        if (found.length === 0) throw new BrokerError('IDP_UNAVAILABLE', 'the JWKS holds no usable signature key');
        keys = createLocalJWKSet({ keys: found } satisfies JSONWebKeySet);
        fetchedAt = clock();
        options.onFetch?.(true);
        return true;
      } catch (error) {
        lastError = error;
        options.onFetch?.(false);
        return false;
      } finally {
        pending = undefined;
      }
    })());

  const mayRetry = (): boolean => clock() - attemptedAt >= RETRY_AFTER_SECONDS * 1000;

  const ensureKeys = async (): Promise<LocalSet> => {
    if (pending) await pending; // concurrent first requests share one fetch
    // Without keys, or with stale ones, retry no more often than Retry-After tells clients to: a down IdP is not hammered.
    else if ((!keys || clock() - fetchedAt >= maxAgeMs) && mayRetry()) await refresh();
    if (!keys) throw new BrokerError('IDP_UNAVAILABLE', 'no signing keys could be fetched for this issuer', { cause: lastError });
    return keys;
  };

  const lookup = async (set: LocalSet, header: CheckedHeader): Promise<CryptoKey | undefined> => {
    try {
      return await set({ alg: header.alg, kid: header.kid });
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return undefined;
      throw new BrokerError('UNKNOWN_KEY', 'no single usable key matches the token header', { cause: error });
    }
  };

  return async (header) => {
    const found = await lookup(await ensureKeys(), header);
    if (found) return found;
    // Stops random or oversized kids from driving a fetch per request (the IdP would rate-limit or block us).
    if (header.kid === undefined || !KID_FORMAT.test(header.kid)) throw new BrokerError('UNKNOWN_KEY', 'unknown key id');
    if (pending) {
      await pending; // a refetch already under way may bring this kid
    } else {
      // Stops well-formed random kids doing the same: at most one refetch per cooldown.
      if (clock() - attemptedAt < cooldownMs) throw new BrokerError('UNKNOWN_KEY', 'unknown key id (refetch cooling down)');
      if (!(await refresh())) throw new BrokerError('IDP_UNAVAILABLE', 'the JWKS could not be refetched for an unknown key id', { cause: lastError });
    }
    const rotated = keys ? await lookup(keys, header) : undefined;
    if (!rotated) throw new BrokerError('UNKNOWN_KEY', 'unknown key id (also after a refetch)');
    return rotated;
  };
};

/** Keys from a JWKS file of the config (`jwksFile`, filtered and checked when the config loaded): no discovery, no fetch. */
export const createStaticKeyResolver = (jwks: JSONWebKeySet): KeyResolver => {
  const set = createLocalJWKSet(jwks);
  return async (header) => {
    try {
      return await set({ alg: header.alg, kid: header.kid });
    } catch (error) {
      throw new BrokerError('UNKNOWN_KEY', 'no single usable key matches the token header', { cause: error });
    }
  };
};
