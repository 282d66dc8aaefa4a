// The broker's own signing key for web-identity tokens (docs/issuance.md): one interface, two implementations — a KMS
// asymmetric key in AWS (kms-signing-key.ts) and a PEM private key locally (here). Both sign RS256
// (RSASSA-PKCS1-v1_5 with SHA-256), the algorithm STS accepts, and both publish their public key as a JWK whose
// `kid` is its RFC 7638 thumbprint, so the same key always has the same kid wherever it is published.

import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

/** A public RSA signing key as the JWKS publishes it. */
export interface PublicSigningJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

export interface SigningKey {
  /** The public key (fetched once and cached by the KMS implementation). */
  publicJwk(): Promise<PublicSigningJwk>;
  /** The RS256 signature of `input` (a JWS signing input), by the key `publicJwk()` describes. */
  sign(input: Uint8Array): Promise<Uint8Array>;
}

export const MIN_MODULUS_BITS = 2048;

/** Thrown for key material that cannot serve as the broker's signing key (wrong type, too small, unreadable). */
export class SigningKeyMaterialError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeyMaterialError';
  }
}

/** An RSA public key (KeyObject) → the published JWK with its RFC 7638 thumbprint as kid. */
export const publicSigningJwk = async (publicKey: KeyObject): Promise<PublicSigningJwk> => {
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  // A weak or non-RSA key would be accepted by nobody (STS wants RS256) or by too many (short moduli).
  if (publicKey.asymmetricKeyType !== 'rsa' || bits < MIN_MODULUS_BITS) {
    throw new SigningKeyMaterialError(`the signing key must be RSA with at least ${MIN_MODULUS_BITS} bits (got ${publicKey.asymmetricKeyType ?? 'unknown'}, ${bits} bits)`);
  }
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new SigningKeyMaterialError('the public key has no RSA modulus or exponent');
  return { kty: 'RSA', n, e, kid: await calculateJwkThumbprint({ kty: 'RSA', n, e }, 'sha256'), alg: 'RS256', use: 'sig' };
};

/** A DER SubjectPublicKeyInfo (what KMS GetPublicKey returns) → KeyObject. */
export const publicKeyFromSpki = (der: Uint8Array): KeyObject => {
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (error) {
    throw new SigningKeyMaterialError('the public key is not a DER SubjectPublicKeyInfo', { cause: error });
  }
};

/** A PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`); unencrypted. */
export const pemSigningKey = (pem: string): SigningKey => {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The PEM text itself is never part of the message: it is a secret.
    throw new SigningKeyMaterialError('the signing key is not an unencrypted PEM private key (PKCS#8 or PKCS#1)', { cause: error });
  }
  return privateKeySigningKey(privateKey);
};

/** An RSA private key (at least 2048 bits) already read — the config loader reads `file:`/`env:`/`ssm:` PEM keys. */
export const privateKeySigningKey = (privateKey: KeyObject): SigningKey => {
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_MODULUS_BITS) {
    throw new SigningKeyMaterialError(`the signing key must be RSA with at least ${MIN_MODULUS_BITS} bits`);
  }
  const jwk = publicSigningJwk(createPublicKey(privateKey));
  return {
    publicJwk: () => jwk,
    sign: async (input) => new Uint8Array(sign('sha256', input, privateKey)),
  };
};
