// Which JWKs may verify a signature: public RSA, EC or OKP keys meant for signing. Shared by the OIDC key resolver
// (an IdP's JWKS) and the config loader (a provider's JWKS file).

import type { JWK } from 'jose';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Public signature keys only: symmetric (`oct`) keys, encryption keys and private members are dropped. */
export const usableKeys = (document: Readonly<Record<string, unknown>>): JWK[] =>
  (Array.isArray(document.keys) ? document.keys : []).filter(
    (key): key is JWK =>
      isRecord(key) &&
      // Stops an HMAC "key" in the JWKS being used with a public value as the secret.
      ['RSA', 'EC', 'OKP'].includes(String(key.kty)) &&
      // Stops an encryption key being accepted for signatures.
      (key.use === undefined || key.use === 'sig') &&
      !Object.hasOwn(key, 'd'),
  );
