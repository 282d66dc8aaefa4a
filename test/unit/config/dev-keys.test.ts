// The committed DEV ONLY keys (config/dev-keys/README.md) are refused outside loopback and in AWS Lambda, recognised
// by fingerprint whatever the file is called and whatever shape the material takes. One row per way to trust them.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type ConfigError } from '../../../shared/config/index.ts';
import { DEV_KEY_FINGERPRINTS, devKeysIn } from '../../../shared/config/dev-keys.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const committed = (path: string): Promise<string> => readFile(resolve(ROOT, path), 'utf8');

describe('DEV_KEY_FINGERPRINTS', () => {
  // A regenerated dev key without an updated list would silently stop being refused.
  it.each([
    'config/dev-keys/dev-saml-idp.cert.pem',
    'config/dev-keys/dev-saml-idp.metadata.xml',
    'tools/local/dev-keys/dev-saml-idp.key.pem',
    'config/dev-keys/dev-static-saml.metadata.xml',
    'tools/events/dev-static-saml.cert.pem',
    'tools/events/dev-static-saml.key.pem',
    'config/dev-keys/dev-static.jwks.json',
    'tools/events/dev-static.private.jwk.json',
  ])('recognises %s', async (path) => {
    expect(devKeysIn(await committed(path))).toHaveLength(1);
  });

  it('lists exactly the three committed key pairs', () => {
    expect(DEV_KEY_FINGERPRINTS.size).toBe(3);
  });
});

let dir: string;
let fresh: { key: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broker-dev-keys-'));
  fresh = { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
  // Copies under names that say nothing about development.
  await writeFile(join(dir, 'idp-metadata.xml'), await committed('config/dev-keys/dev-static-saml.metadata.xml'));
  await writeFile(join(dir, 'jwks.json'), await committed('config/dev-keys/dev-static.jwks.json'));
  await writeFile(join(dir, 'signing.pem'), await committed('tools/events/dev-static-saml.key.pem'));
  await writeFile(join(dir, 'sp-cert.pem'), await committed('tools/events/dev-static-saml.cert.pem'));
  await writeFile(join(dir, 'sp-key.pem'), await committed('tools/events/dev-static-saml.key.pem'));
  await writeFile(join(dir, 'fresh.pem'), fresh.key);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HTTPS = 'https://broker.example.com';
const LOOPBACK = 'http://127.0.0.1:3000';
const base = (baseUrl: string, providers: Record<string, unknown>, broker: Record<string, unknown> = {}) => ({
  version: 1,
  broker: { baseUrl, ...broker },
  providers: { other: { type: 'oidc', issuer: 'https://idp.example.com', clientId: 'broker' }, ...providers },
  roles: { dev: { arn: 'arn:aws:iam::111122223333:role/Dev' } },
  rules: [{ id: 'devs', roles: ['dev'], conditions: { StringLike: { email: '*@example.com' } } }],
});
const samlFile = { type: 'saml', metadataFile: 'idp-metadata.xml' };
const jwksFile = { type: 'oidc', issuer: 'https://static.example.com', audiences: ['x'], jwksFile: 'jwks.json' };

interface Row {
  readonly name: string;
  readonly data: () => Promise<unknown>;
  readonly env?: Record<string, string>;
  /** undefined: accepted. */
  readonly path?: string;
}

const rows: Row[] = [
  { name: 'valid: dev metadata on a loopback baseUrl, not in Lambda', data: async () => base(LOOPBACK, { s: samlFile }) },
  { name: 'valid: dev metadata on loopback under sam local (AWS_SAM_LOCAL=true)', data: async () => base(LOOPBACK, { s: samlFile }), env: { AWS_LAMBDA_FUNCTION_NAME: 'TokenFunction', AWS_SAM_LOCAL: 'true' } },
  { name: 'valid: a key of your own on https', data: async () => base(HTTPS, {}, { signingKey: 'file:fresh.pem' }) },
  { name: 'dev SAML metadata (a copy under another name) on https', data: async () => base(HTTPS, { s: samlFile }), path: 'providers.s.metadataFile' },
  { name: 'dev SAML metadata inline (metadataXml) on https', data: async () => base(HTTPS, { s: { type: 'saml', metadataXml: await committed('config/dev-keys/dev-saml-idp.metadata.xml') } }), path: 'providers.s.metadataXml' },
  { name: 'dev JWKS file on https', data: async () => base(HTTPS, { o: jwksFile }), path: 'providers.o.jwksFile' },
  { name: 'a dev private key as the broker signing key on https', data: async () => base(HTTPS, {}, { signingKey: 'file:signing.pem' }), path: 'broker.signingKey' },
  { name: 'a dev private key from an environment variable on https', data: async () => base(HTTPS, {}, { signingKey: 'env:DEV_KEY_FROM_ENV' }), env: { DEV_KEY_FROM_ENV: '' }, path: 'broker.signingKey' },
  { name: 'a dev key pair as the SP decryption key on https', data: async () => base(HTTPS, { s: { type: 'saml', metadataXml: '<EntityDescriptor/>', decryptionKey: 'file:sp-key.pem', decryptionCert: 'file:sp-cert.pem' } }), path: 'providers.s.decryptionKey' },
  { name: 'dev metadata on a loopback baseUrl, in AWS Lambda', data: async () => base(LOOPBACK, { s: samlFile }), env: { AWS_LAMBDA_FUNCTION_NAME: 'TokenFunction' }, path: 'providers.s.metadataFile' },
  { name: 'dev metadata on a loopback baseUrl, in Lambda with AWS_SAM_LOCAL other than "true"', data: async () => base(LOOPBACK, { s: samlFile }), env: { AWS_LAMBDA_FUNCTION_NAME: 'TokenFunction', AWS_SAM_LOCAL: '1' }, path: 'providers.s.metadataFile' },
  { name: 'dev metadata on a host that only starts like loopback', data: async () => base('https://127.0.0.1.nip.example', { s: samlFile }), path: 'providers.s.metadataFile' },
];

describe('a config that trusts committed DEV ONLY keys', () => {
  it.each(rows)('$name', async (row) => {
    const env = { ...row.env, ...(row.env?.DEV_KEY_FROM_ENV === '' ? { DEV_KEY_FROM_ENV: await committed('tools/local/dev-keys/dev-saml-idp.key.pem') } : {}) };
    const built = buildConfig(await row.data(), join(dir, 'broker.yaml'), { env });
    if (row.path === undefined) {
      await expect(built).resolves.toBeDefined();
      return;
    }
    const error = (await built.then(() => undefined, (e: unknown) => e)) as ConfigError | undefined;
    expect(error?.name).toBe('ConfigError');
    expect(error?.problems).toContainEqual(expect.objectContaining({ severity: 'error', path: row.path, message: expect.stringContaining('DEV ONLY') }));
  });

  it('is refused by check-config (files are read; env: and ssm: are not resolved)', async () => {
    await expect(buildConfig(base(HTTPS, { s: samlFile }), join(dir, 'broker.yaml'), { resolveSecrets: false, env: {} })).rejects.toMatchObject({ name: 'ConfigError' });
  });
});
