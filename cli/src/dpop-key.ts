// The session's DPoP key (RFC 9449): ES256, generated per sign-in, kept with the session in the cache, and the
// proofs it signs (the `dpop` library). The broker binds the session to this key's thumbprint (cnf.jkt), so a
// session token copied without the key is useless.

import { generateKeyPair, generateProof } from 'dpop';

export interface DpopKey {
  readonly keyPair: CryptoKeyPair;
  /** The private key as a JWK, for the cache file. */
  readonly privateJwk: JsonWebKey;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export const importDpopKey = async (privateJwk: JsonWebKey): Promise<DpopKey> => {
  const { kty, crv, x, y } = privateJwk;
  const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d: privateJwk.d }, EC, false, ['sign']);
  // dpop embeds the public key in each proof, so that one must be extractable.
  const publicKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y }, EC, true, ['verify']);
  return { keyPair: { privateKey, publicKey }, privateJwk: { kty, crv, x, y, d: privateJwk.d } };
};

export const newDpopKey = async (): Promise<DpopKey> => {
  const generated = await generateKeyPair('ES256', { extractable: true });
  return importDpopKey(await crypto.subtle.exportKey('jwk', generated.privateKey));
};

/** `htu` is the endpoint URL without query and fragment (RFC 9449 §4.2). */
const htu = (url: string): string => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/** A proof for one request; with `accessToken`, its hash goes into `ath` (requests that use the session). */
export const dpopProof = (key: DpopKey, method: string, url: string, accessToken?: string): Promise<string> =>
  generateProof(key.keyPair, htu(url), method, undefined, accessToken);
