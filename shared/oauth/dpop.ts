// DPoP proofs (RFC 9449): a JWT signed by the client's own key, carried in the `DPoP` header, that binds a request to
// that key. Verified with jose against the public key embedded in its own header (RFC 9449 §4.3) — the signature and
// the JWT times (`exp`, `nbf`) — after the checks jose leaves to us: the `typ`, an asymmetric `alg` and a public `jwk`
// of that algorithm without private members, the request's method and URL, a fresh `iat`, and — for requests that
// present a session — `ath`, the hash of that session token. Single use of `jti` is the caller's (it needs the replay
// store). Every refusal is DPOP_INVALID. The embedded key is imported once per RFC 7638 thumbprint (a CLI signs every
// proof with the same key) into a bounded map the composed broker holds.

import { createHash } from 'node:crypto';
import { importJWK, jwtVerify, type CryptoKey } from 'jose';
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
/** Imported public keys kept per thumbprint (a CLI presents the same key on every request); a bound, not a cache policy. */
const MAX_CACHED_KEYS = 256;
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

/** Public keys already imported, by `alg` and RFC 7638 thumbprint: a thumbprint names exactly one key (`createDpopKeys`). */
export type DpopKeys = Map<string, CryptoKey>;

/** An empty key cache for one composed broker. */
export const createDpopKeys = (): DpopKeys => new Map();

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

type PublicJwk = { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string } | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

/** The embedded key's public members, checked; anything else about the header is refused here. */
const checkHeader = (header: Readonly<Record<string, unknown>>): { readonly alg: string; readonly jwk: PublicJwk } => {
  // Token confusion: a DPoP proof is only what says so (RFC 9449 §4.2).
  if (header.typ !== 'dpop+jwt') refuse('typ is not dpop+jwt');
  // `none` in any casing, HMAC keyed with the public key, anything but the asymmetric algorithms allowed.
  if (typeof header.alg !== 'string' || !(DPOP_ALGORITHMS as readonly string[]).includes(header.alg)) refuse('alg is not ES256, EdDSA or Ed25519');
  const alg = header.alg as string;
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return refuse('no jwk in the header');
  // A proof that carries a private key (or a symmetric one) is refused outright: it is not a public-key binding.
  for (const member of PRIVATE_MEMBERS) if (Object.hasOwn(jwk, member)) refuse(`the header jwk carries private member ${member}`);
  const { kty, crv, x, y } = jwk as Record<string, unknown>;
  if (!((kty === 'EC' && crv === 'P-256') || (kty === 'OKP' && crv === 'Ed25519'))) refuse('the header jwk is not a P-256 or Ed25519 public key');
  // Algorithm confusion: an ES256 proof verified with an Ed25519 key, or the reverse.
  if ((alg === 'ES256') !== (kty === 'EC')) refuse('the header jwk is not a key of alg');
  if (typeof x !== 'string' || (kty === 'EC' && typeof y !== 'string')) refuse('the header jwk lacks its coordinates');
  // Keys come only from the embedded jwk; extensions we do not understand are refused.
  for (const name of ['jku', 'x5u', 'x5c', 'crit']) if (Object.hasOwn(header, name)) refuse(`the header carries ${name}`);
  return { alg, jwk: kty === 'EC' ? { kty, crv: 'P-256', x: x as string, y: y as string } : { kty: 'OKP', crv: 'Ed25519', x: x as string } };
};

/** RFC 7638: SHA-256 of the required members in lexicographic order, base64url. */
const thumbprintOf = (jwk: PublicJwk): string =>
  createHash('sha256')
    .update(jwk.kty === 'EC' ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }) : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');

/** The embedded key, imported by jose once per algorithm and thumbprint (which covers every member the key is made of). */
const publicKeyOf = async (alg: string, jwk: PublicJwk, jkt: string, keys: DpopKeys | undefined): Promise<CryptoKey> => {
  const id = `${alg} ${jkt}`;
  const known = keys?.get(id);
  if (known) return known;
  let key: CryptoKey;
  try {
    // Only the members that make the key; a point not on the curve or a bad encoding is refused by the import.
    const imported = await importJWK({ ...jwk }, alg);
    if (imported instanceof Uint8Array) return refuse('the header jwk is not a public key');
    key = imported;
  } catch (error) {
    return refuse('the header jwk is not a valid public key', error);
  }
  if (keys) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
};

/**
 * Verifies the `DPoP` header of one request. Returns the key's thumbprint and the `jti` to spend. `keys`: imported
 * public keys to reuse across requests (the composition's; none in one-off checks).
 */
export const verifyDpopProof = async (proof: string | undefined, request: DpopRequest, keys?: DpopKeys): Promise<VerifiedProof> => {
  // API Gateway joins repeated headers with commas: a comma means several proofs, and RFC 9449 allows one.
  if (proof === undefined || proof === '') return refuse('no DPoP header');
  if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) refuse('the DPoP header is not one proof');
  let decoded: ReturnType<typeof decodeCompact>;
  try {
    // Three base64url parts; header and payload each one JSON object with unique member names.
    decoded = decodeCompact(proof, MAX_PROOF_LENGTH);
  } catch (error) {
    return refuse('not a compact JWS', error);
  }
  const { alg, jwk } = checkHeader(decoded.header);
  const jkt = thumbprintOf(jwk);
  const key = await publicKeyOf(alg, jwk, jkt, keys);
  let payload: Readonly<Record<string, unknown>>;
  try {
    // Forgery: a proof not signed by the key it embeds, or altered after signing; jose also refuses an expired or
    // not-yet-valid proof (`exp`, `nbf`).
    ({ payload } = await jwtVerify(proof, key, { algorithms: [alg], typ: 'dpop+jwt', currentDate: request.now }));
  } catch (error) {
    return refuse('the signature does not verify with the embedded key', error);
  }
  const { jti, htm, htu, iat, ath } = payload;
  const now = request.now.getTime() / 1000;
  if (typeof jti !== 'string' || !JTI_FORMAT.test(jti)) refuse('jti is missing or malformed');
  // A proof made for another request (method or endpoint) cannot be replayed against this one.
  if (htm !== request.method) refuse('htm is not the request method');
  const expected = endpointOf(request.url);
  if (typeof htu !== 'string' || expected === undefined || endpointOf(htu) !== expected) refuse('htu is not this endpoint');
  // Freshness: a proof is made just before its request; a stale or future one may have been captured or pre-made.
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return refuse('iat is missing');
  if (iat > now + request.clockSkewSeconds || iat < now - DPOP_MAX_AGE_SECONDS - request.clockSkewSeconds) refuse('iat is outside the accepted window');
  // A proof for another session token (or none) does not authorise this one.
  if (request.accessToken !== undefined && ath !== accessTokenHash(request.accessToken)) refuse('ath does not match the presented session');
  return { jkt, jti: jti as string, freshUntil: new Date((iat + DPOP_MAX_AGE_SECONDS + 2 * request.clockSkewSeconds) * 1000) };
};
