// The PEM signing key and the composition of signing keys from config references: formats, kid = RFC 7638
// thumbprint, real RS256 signatures, and refusal of key material that must never sign.

import { generateKeyPairSync, verify, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildConfig, type BrokerConfig } from '../../../shared/config/index.ts';
import { kmsSigningKeysOf } from '../../../shared/compose/aws-clients.ts';
import { createSigningKeys, kmsKeyIdOf } from '../../../shared/compose/signing.ts';
import { pemSigningKey, publicSigningJwk, SigningKeyMaterialError } from '../../../shared/issuance/signing-key.ts';

const rsa = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const pkcs8 = (key = rsa()) => key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const pkcs1 = (key = rsa()) => key.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
const input = new TextEncoder().encode('header.payload');
const signingKeys = (config: BrokerConfig) => createSigningKeys({ config, kms: () => kmsSigningKeysOf({ region: 'us-east-1' }) });

const configWith = (broker: Record<string, unknown>, env: Record<string, string>): Promise<BrokerConfig> =>
  buildConfig({ version: 1, broker: { baseUrl: 'https://broker.example.com', ...broker }, providers: {}, roles: {}, rules: [] }, '/virtual/broker.yaml', { env });

describe('pemSigningKey', () => {
  it.each([
    ['PKCS#8', pkcs8],
    ['PKCS#1', pkcs1],
  ])('reads a %s PEM and signs RS256 that the public key verifies', async (_format, pem) => {
    const pair = rsa();
    const key = pemSigningKey(pem(pair));
    const signature = await key.sign(input);
    expect(verify('sha256', input, pair.publicKey, signature)).toBe(true);
  });

  it('publishes the public JWK only, with kid = the RFC 7638 thumbprint', async () => {
    const pair = rsa();
    const jwk = await pemSigningKey(pkcs8(pair)).publicJwk();
    const { n, e } = pair.publicKey.export({ format: 'jwk' });
    expect(jwk).toEqual({ kty: 'RSA', n, e, kid: await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! }), alg: 'RS256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
  });

  it('gives the same kid to the same key in either format', async () => {
    const pair = rsa();
    expect((await pemSigningKey(pkcs1(pair)).publicJwk()).kid).toBe((await pemSigningKey(pkcs8(pair)).publicJwk()).kid);
  });

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  it.each([
    ['an EC key (STS tokens are RS256 here)', () => ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['a 1024-bit RSA key', () => pkcs8(rsa(1024))],
    ['an encrypted PEM', () => rsa().privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString()],
    ['a public key', () => rsa().publicKey.export({ format: 'pem', type: 'spki' }).toString()],
    ['not a PEM at all', () => 'garbage'],
  ])('refuses %s', (_name, pem) => {
    expect(() => pemSigningKey(pem())).toThrow(SigningKeyMaterialError);
  });

  it('refuses a short public key as well (e.g. from KMS)', async () => {
    await expect(publicSigningJwk(createPublicKey(rsa(1024).privateKey))).rejects.toBeInstanceOf(SigningKeyMaterialError);
  });
});

describe('signing keys from the config', () => {
  it('builds the current and previous keys from env: references, current first', async () => {
    const current = rsa();
    const previous = rsa();
    const config = await configWith({ signingKey: 'env:CURRENT', previousSigningKey: 'env:PREVIOUS' }, { CURRENT: pkcs8(current), PREVIOUS: pkcs1(previous) });
    const keys = await Promise.all(signingKeys(config).published.map((k) => k.publicJwk()));
    expect(keys.map((k) => k.n)).toEqual([current.publicKey.export({ format: 'jwk' }).n, previous.publicKey.export({ format: 'jwk' }).n]);
  });

  it('publishes nothing and signs nothing without broker.signingKey', async () => {
    const config = await configWith({}, {});
    expect(signingKeys(config).published).toEqual([]);
    expect(signingKeys(config).signer).toBeUndefined();
  });

  it('fails the config load naming the config path, never the key, for unusable key material', async () => {
    const error = await configWith({ signingKey: 'env:CURRENT', previousSigningKey: 'env:PREVIOUS' }, { CURRENT: pkcs8(), PREVIOUS: 'not-a-key-secret-text' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ConfigError', problems: [{ severity: 'error', path: 'broker.previousSigningKey' }] });
    expect(String((error as Error).message)).not.toContain('not-a-key-secret-text');
  });

  it.each([
    ['an RSA key under 2048 bits', () => pkcs8(rsa(1024))],
    ['an EC key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
  ])('refuses %s as the signing key when the config loads', async (_name, pem) => {
    await expect(configWith({ signingKey: 'env:CURRENT' }, { CURRENT: pem() })).rejects.toMatchObject({ name: 'ConfigError', problems: [{ path: 'broker.signingKey' }] });
  });

  it.each([
    ['kms:alias/federation-broker', 'arn:aws:kms:us-east-1:111122223333:key/env', 'alias/federation-broker'],
    ['kms:arn:aws:kms:us-east-1:111122223333:key/abc', undefined, 'arn:aws:kms:us-east-1:111122223333:key/abc'],
    ['kms:', 'arn:aws:kms:us-east-1:111122223333:key/env', 'arn:aws:kms:us-east-1:111122223333:key/env'],
    ['kms:', undefined, undefined],
    ['kms:', '', undefined],
  ])('%s with SIGNING_KEY_ARN=%s names key %s', (ref, env, expected) => {
    expect(kmsKeyIdOf(ref, env)).toBe(expected);
  });

  it('signs web-identity tokens with the key it publishes first (one key object per composed broker)', async () => {
    const pair = rsa();
    const keys = signingKeys(await configWith({ signingKey: 'env:A' }, { A: pkcs8(pair) }));
    expect(keys.published).toHaveLength(1);
    expect((await keys.published[0]!.publicJwk()).n).toBe(pair.publicKey.export({ format: 'jwk' }).n);
    expect(keys.signer).toBeTypeOf('function');
  });
});
