// The broker's own issuer documents (docs/issuance.md): what the IAM OIDC identity provider and STS read to verify
// web-identity tokens. The issuer is broker.baseUrl exactly, as IAM compares it byte for byte with `iss`.

import { AWS_SOURCE_IDENTITY_CLAIM, AWS_TAGS_CLAIM } from './web-identity.ts';
import type { PublicSigningJwk, SigningKey } from './signing-key.ts';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';
/** Both documents change only on a key rotation; caches keep them 5 minutes (see docs/issuance.md, rotation). */
export const ISSUER_DOCUMENT_MAX_AGE_SECONDS = 300;

export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly response_types_supported: readonly string[];
  readonly subject_types_supported: readonly string[];
  readonly id_token_signing_alg_values_supported: readonly string[];
  readonly claims_supported: readonly string[];
}

export interface JwksDocument {
  readonly keys: readonly PublicSigningJwk[];
}

export const discoveryDocument = (issuer: string): DiscoveryDocument => ({
  issuer,
  jwks_uri: `${issuer}${JWKS_PATH}`,
  response_types_supported: ['id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', AWS_TAGS_CLAIM, AWS_SOURCE_IDENTITY_CLAIM],
});

/** The current key first, then the previous one (rotation); a key listed twice is published once. */
export const jwksDocument = async (keys: readonly SigningKey[]): Promise<JwksDocument> => {
  const jwks = await Promise.all(keys.map((key) => key.publicJwk()));
  return { keys: jwks.filter((jwk, i) => jwks.findIndex((other) => other.kid === jwk.kid) === i) };
};
