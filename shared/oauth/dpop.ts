// DPoP proofs (RFC 9449): a JWT signed by the client's own key, carried in the `DPoP` header, that binds a request to
// that key. Verified with jose against the public key embedded in its own header (RFC 9449 §4.3), after the checks
// jose leaves to us: the `typ`, an asymmetric `alg`, a public `jwk` without private members, the request's method and
// URL, a fresh `iat`, and — for requests that present a session — `ath`, the hash of that session token. Single use
// of `jti` is the caller's (it needs the replay store). Every refusal is DPOP_INVALID.

import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { BrokerError } from '../errors.ts';
import { decodeCompact } from '../jose/compact.ts';

/**
 * The algorithms a CLI key may use: ES256 (what fbroker makes) and EdDSA, under its RFC 8037 name or its fully
 * specified RFC 9864 name `Ed25519` (what panva's `dpop` client writes). Never `none`, never HMAC.
 */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519'] as const;
/** A proof is made just before its request: one older than this (plus the clock skew) is stale. */
export const DPOP_MAX_AGE_SECONDS = 120;
const MAX_PROOF_LENGTH = 4096;
/** JWK members that belong to private or symmetric keys: a proof's key must be public. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const JTI_FORMAT = /^[\x21-\x7e]{8,128}$/;

export interface DpopRequest {
  /** The HTTP method of the request (`htm`). */
  readonly method: string;
  /** The endpoint URL the request was sent to, without query or fragment (`htu`). */
  readonly url: string;
  readonly now: Date;
  readonly clockSkewSeconds: number;
  /** The session token the request presents: the proof must carry its hash as `ath`. */
  readonly accessToken?: string | undefined;
}

export interface VerifiedProof {
  /** RFC 7638 thumbprint (SHA-256) of the proof's key: what a session is bound to (`cnf.jkt`). */
  readonly jkt: string;
  readonly jti: string;
  /** When the proof stops being fresh: its `jti` must be remembered until then. */
  readonly freshUntil: Date;
}

const refuse = (reason: string, cause?: unknown): never => {
  throw new BrokerError('DPOP_INVALID', `DPoP proof refused: ${reason}`, cause === undefined ? undefined : { cause });
};

/** base64url(SHA-256(token)): the `ath` of a proof that presents `token`. */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

/** The URL a proof must name: scheme and host as the URL parser normalises them, the path as is; no query or fragment. */
const endpointOf = (value: string): string | undefined => {
  const url = URL.parse(value);
  return url ? `${url.protocol}//${url.host}${url.pathname}` : undefined;
};

const checkHeader = (header: Readonly<Record<string, unknown>>): void => {
  // Token confusion: a DPoP proof is only what says so (RFC 9449 §4.2).
  if (header.typ !== 'dpop+jwt') refuse('typ is not dpop+jwt');
  // `none` in any casing, HMAC keyed with the public key, anything but the asymmetric algorithms allowed.
  if (typeof header.alg !== 'string' || !(DPOP_ALGORITHMS as readonly string[]).includes(header.alg)) refuse('alg is not ES256, EdDSA or Ed25519');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return refuse('no jwk in the header');
  // A proof that carries a private key (or a symmetric one) is refused outright: it is not a public-key binding.
  for (const member of PRIVATE_MEMBERS) if (Object.hasOwn(jwk, member)) refuse(`the header jwk carries private member ${member}`);
  const { kty, crv } = jwk as Record<string, unknown>;
  if (!((kty === 'EC' && crv === 'P-256') || (kty === 'OKP' && crv === 'Ed25519'))) refuse('the header jwk is not a P-256 or Ed25519 public key');
  // Keys come only from the embedded jwk; extensions we do not understand are refused.
  for (const name of ['jku', 'x5u', 'x5c', 'crit']) if (Object.hasOwn(header, name)) refuse(`the header carries ${name}`);
};

/** Verifies the `DPoP` header of one request. Returns the key's thumbprint and the `jti` to spend. */
export const verifyDpopProof = async (proof: string | undefined, request: DpopRequest): Promise<VerifiedProof> => {
  // API Gateway joins repeated headers with commas: a comma means several proofs, and RFC 9449 allows one.
  if (proof === undefined || proof === '') return refuse('no DPoP header');
  if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) refuse('the DPoP header is not one proof');
  let header: Readonly<Record<string, unknown>>;
  try {
    header = decodeCompact(proof, MAX_PROOF_LENGTH).header;
  } catch (error) {
    return refuse('not a compact JWS', error);
  }
  checkHeader(header);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { algorithms: [...DPOP_ALGORITHMS], typ: 'dpop+jwt', currentDate: request.now }));
  } catch (error) {
    return refuse('the signature does not verify with the embedded key', error);
  }
  const { jti, htm, htu, iat, ath } = payload;
  if (typeof jti !== 'string' || !JTI_FORMAT.test(jti)) refuse('jti is missing or malformed');
  // A proof made for another request (method or endpoint) cannot be replayed against this one.
  if (htm !== request.method) refuse('htm is not the request method');
  const expected = endpointOf(request.url);
  if (typeof htu !== 'string' || expected === undefined || endpointOf(htu) !== expected) refuse('htu is not this endpoint');
  // Freshness: a proof is made just before its request; a stale or future one may have been captured or pre-made.
  const now = request.now.getTime() / 1000;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return refuse('iat is missing');
  if (iat > now + request.clockSkewSeconds || iat < now - DPOP_MAX_AGE_SECONDS - request.clockSkewSeconds) refuse('iat is outside the accepted window');
  // A proof for another session token (or none) does not authorise this one.
  if (request.accessToken !== undefined && ath !== accessTokenHash(request.accessToken)) refuse('ath does not match the presented session');
  const jkt = await calculateJwkThumbprint(header.jwk as JWK, 'sha256');
  return { jkt, jti: jti as string, freshUntil: new Date((iat + DPOP_MAX_AGE_SECONDS + 2 * request.clockSkewSeconds) * 1000) };
};
