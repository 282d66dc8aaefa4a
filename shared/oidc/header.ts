// Checks on the (still unverified) JOSE header, run before any key lookup: the header must not choose the key,
// the algorithm or the processing rules.

import { BrokerError } from '../errors.ts';

export interface HeaderPolicy {
  /** Accepted `alg` values, compared exactly (case-sensitive). */
  readonly algorithms: readonly string[];
  /** Accepted `typ` values (case-insensitive, `application/` prefix optional); a token without `typ` passes. */
  readonly typ: readonly string[];
}

export interface CheckedHeader {
  readonly alg: string;
  readonly kid?: string;
}

/** Header parameters that carry or point at a key: keys come only from the issuer's JWKS. */
const KEY_CARRYING = ['jwk', 'jku', 'x5u', 'x5c'] as const;

const normaliseTyp = (value: string): string => value.toLowerCase().replace(/^application\//, '');

export const checkHeader = (header: Readonly<Record<string, unknown>>, policy: HeaderPolicy): CheckedHeader => {
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string') throw new BrokerError('TOKEN_INVALID', 'the token header has no alg');
  // Stops `none` in any casing, HS256 keyed with the issuer's public key, and any algorithm downgrade.
  if (!policy.algorithms.includes(alg)) throw new BrokerError('ALGORITHM_NOT_ALLOWED', `alg ${JSON.stringify(alg.slice(0, 20))} is not accepted`);
  for (const name of KEY_CARRYING) {
    // Stops a token that brings its own key (embedded `jwk`, `x5c`) or points at one the attacker hosts (`jku`, `x5u`).
    if (Object.hasOwn(header, name)) throw new BrokerError('TOKEN_INVALID', `the token header carries ${name}`);
  }
  // Stops extensions that change how the signature must be read (e.g. b64=false): we understand none of them.
  if (Object.hasOwn(header, 'crit')) throw new BrokerError('TOKEN_INVALID', 'the token header has crit');
  // Stops a key id of another type reaching the key cache (objects, numbers, arrays).
  if (kid !== undefined && typeof kid !== 'string') throw new BrokerError('TOKEN_INVALID', 'the token kid is not a string');
  if (typ !== undefined) {
    // Stops token confusion: an access token (at+jwt), logout token or other JWT of the same issuer used as an ID token.
    if (typeof typ !== 'string' || !policy.typ.some((accepted) => normaliseTyp(accepted) === normaliseTyp(typ))) {
      throw new BrokerError('TOKEN_INVALID', 'the token typ is not accepted');
    }
  }
  return kid === undefined ? { alg } : { alg, kid };
};
