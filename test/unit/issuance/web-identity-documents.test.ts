// The issuer documents of the broker's own OIDC issuer: the discovery fields IAM reads, and a JWKS holding the
// current and the previous key during a rotation.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { discoveryDocument, jwksDocument } from '../../../shared/issuance/issuer-documents.ts';
import { pemSigningKey } from '../../../shared/issuance/signing-key.ts';

const newKey = () => pemSigningKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());

describe('discovery document', () => {
  it('names the issuer exactly and the fields IAM reads', () => {
    expect(discoveryDocument('https://broker.example.com')).toEqual({
      issuer: 'https://broker.example.com',
      jwks_uri: 'https://broker.example.com/.well-known/jwks.json',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'https://aws.amazon.com/tags', 'https://aws.amazon.com/source_identity'],
    });
  });

  it('keeps a base path in the issuer and the JWKS URL', () => {
    expect(discoveryDocument('https://example.com/broker')).toMatchObject({ issuer: 'https://example.com/broker', jwks_uri: 'https://example.com/broker/.well-known/jwks.json' });
  });
});

describe('JWKS', () => {
  it('lists the current key, then the previous one', async () => {
    const current = newKey();
    const previous = newKey();
    const { keys } = await jwksDocument([current, previous]);
    expect(keys.map((k) => k.kid)).toEqual([(await current.publicJwk()).kid, (await previous.publicJwk()).kid]);
    for (const jwk of keys) expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('lists a key once when the previous key is the current one', async () => {
    const current = newKey();
    expect((await jwksDocument([current, current])).keys).toHaveLength(1);
  });

  it('is empty without a signing key', async () => {
    expect(await jwksDocument([])).toEqual({ keys: [] });
  });
});
