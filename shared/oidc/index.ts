// OIDC ID-token validation for POST /token (and for `explain --token`): pick the provider from the token's `iss`,
// verify against that provider's discovery document and JWKS, optionally spend the `jti`. Built once per cold
// start; discovery and keys are fetched lazily, on the first token of each provider, and cached per instance.

import type { BrokerConfig, OidcProviderConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { ReplayStore } from '../stores/replay.ts';
import { decodeCompact, MAX_TOKEN_LENGTH, type DecodedToken } from '../jose/compact.ts';
import { createDiscovery } from './discovery.ts';
import { DEFAULT_HTTP, type Fetch } from './fetch-json.ts';
import { createKeyResolver, createStaticKeyResolver, type KeyResolver } from './jwks.ts';
import { spendJti } from './jti.ts';
import { acceptedAudiences, selectProvider, type OidcProviders } from './select.ts';
import { verifyIdToken, type TokenPolicy, type VerifiedToken } from './verify.ts';

export type { ClaimSet } from '../json/null-prototype.ts';
export type { VerifiedToken, TokenPolicy } from './verify.ts';
export { verifyIdToken } from './verify.ts';
export { MAX_TOKEN_LENGTH } from '../jose/compact.ts';

export interface OidcVerifierDeps {
  readonly fetch?: Fetch;
  /** Clock for the JWKS cooldown and cache age (token times use the `now` passed to verify). */
  readonly now?: () => Date;
  /** Needed when a provider has `singleUseJti`. */
  readonly replay?: ReplayStore;
  readonly jwksCooldownMs?: number;
  readonly jwksMaxAgeMs?: number;
  readonly httpTimeoutMs?: number;
  /** Told of every key fetch of a provider and whether it succeeded (IdpKeyFetches, IdpKeyFetchFailures). */
  readonly onKeyFetch?: (providerId: string, ok: boolean) => void;
}

export interface VerifyOptions {
  /** Verify against this provider instead of choosing by `iss` (browser callback, `explain --provider`). */
  readonly providerId?: string;
  /** Record the `jti` as used (default true); `explain` passes false so that a dry run spends nothing. */
  readonly consumeJti?: boolean;
}

export type VerifiedIdToken = VerifiedToken & { readonly providerId: string };

export interface OidcVerifier {
  verify(token: string, now: Date, options?: VerifyOptions): Promise<VerifiedIdToken>;
}

export const tokenPolicy = (provider: OidcProviderConfig, broker: BrokerConfig['broker']): TokenPolicy => ({
  issuer: provider.issuer,
  audiences: acceptedAudiences(provider),
  algorithms: provider.algorithms,
  typ: provider.typ,
  clockSkewSeconds: broker.clockSkewSeconds,
  maxTokenAgeSeconds: provider.maxTokenAgeSeconds ?? broker.maxTokenAgeSeconds,
});

export const createOidcVerifier = (config: BrokerConfig, deps: OidcVerifierDeps = {}): OidcVerifier => {
  const now = deps.now ?? (() => new Date());
  const http = { ...DEFAULT_HTTP, fetch: deps.fetch ?? globalThis.fetch, ...(deps.httpTimeoutMs === undefined ? {} : { timeoutMs: deps.httpTimeoutMs }) };
  const providers: OidcProviders = Object.fromEntries(
    Object.entries(config.providers).flatMap(([id, p]) => (p.type === 'oidc' ? [[id, p] as const] : [])),
  );
  const resolvers = new Map<string, KeyResolver>();
  const keysFor = (id: string, provider: OidcProviderConfig): KeyResolver => {
    let resolver = resolvers.get(id);
    const jwks = config.material.oidc[id]?.jwks;
    if (!resolver && jwks !== undefined) {
      // jwksFile: parsed and checked when the config loaded.
      resolver = createStaticKeyResolver(jwks);
      resolvers.set(id, resolver);
    }
    if (!resolver) {
      const discover = createDiscovery(provider.issuer, http, now);
      resolver = createKeyResolver(async () => (await discover()).jwksUri, {
        http,
        now,
        ...(deps.jwksCooldownMs === undefined ? {} : { cooldownMs: deps.jwksCooldownMs }),
        ...(deps.jwksMaxAgeMs === undefined ? {} : { maxAgeMs: deps.jwksMaxAgeMs }),
        ...(deps.onKeyFetch === undefined ? {} : { onFetch: (ok: boolean) => deps.onKeyFetch?.(id, ok) }),
      });
      resolvers.set(id, resolver);
    }
    return resolver;
  };

  return {
    async verify(token, at, options = {}) {
      let decoded: DecodedToken | undefined;
      const providerId = options.providerId ?? selectProvider(providers, (decoded = decodeCompact(token, MAX_TOKEN_LENGTH)).payload);
      const provider = Object.hasOwn(providers, providerId) ? providers[providerId] : undefined;
      if (!provider) throw new BrokerError('UNKNOWN_PROVIDER', `${providerId} is not an OIDC provider`);
      const identity = await verifyIdToken(token, tokenPolicy(provider, config.broker), keysFor(providerId, provider), at, decoded);
      if (provider.singleUseJti) {
        await spendJti(identity, { providerId, clockSkewSeconds: config.broker.clockSkewSeconds, replay: deps.replay, consume: options.consumeJti !== false });
      }
      return { ...identity, providerId };
    },
  };
};
