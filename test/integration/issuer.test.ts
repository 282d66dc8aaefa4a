// GET /.well-known/openid-configuration and GET /.well-known/jwks.json through the issuer function's exported
// handler, with PEM keys generated here (the current one PKCS#8, the previous one PKCS#1) in file: references.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { httpApiEvent, lambdaContext, type HttpApiHandler as Handler } from '../../tools/lib/lambda-events.ts';
import { captureOutput, type Capture } from '../support/capture.ts';


const BASE = 'https://broker.example.com';
const current = generateKeyPairSync('rsa', { modulusLength: 2048 });
const previous = generateKeyPairSync('rsa', { modulusLength: 2048 });
let dir: string;
let issuer: Handler;
let capture: Capture;

const get = (path: string) => issuer(httpApiEvent(path, { requestId: 'req-issuer' }), lambdaContext({ functionName: 'IssuerFunction', requestId: 'lambda-req', remainingMs: 10_000 }));

const kidOf = (key: KeyObject) => {
  const { n, e } = key.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! });
};

beforeAll(async () => {
  capture = captureOutput();
  dir = await mkdtemp(join(tmpdir(), 'broker-issuer-'));
  await mkdir(join(dir, 'keys'));
  await writeFile(join(dir, 'keys', 'current.pem'), current.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  await writeFile(join(dir, 'keys', 'previous.pem'), previous.privateKey.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
  const config = {
    version: 1,
    broker: { baseUrl: `${BASE}/`, signingKey: 'file:keys/current.pem', previousSigningKey: 'file:keys/previous.pem' },
    providers: {},
    roles: {},
    rules: [],
  };
  await writeFile(join(dir, 'broker.yaml'), stringify(config));
  Object.assign(process.env, { BROKER_CONFIG: join(dir, 'broker.yaml'), AWS_REGION: 'us-east-1' });
  issuer = (await import('../../functions/issuer/index.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  capture.restore();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /.well-known/openid-configuration', () => {
  it('serves the discovery document with issuer = baseUrl, cacheable for 5 minutes', async () => {
    const result = await get('/.well-known/openid-configuration');
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(result.headers['cache-control']).toBe('public, max-age=300');
    expect(result.headers).not.toHaveProperty('pragma');
    expect(JSON.parse(result.body)).toEqual({
      issuer: BASE,
      jwks_uri: `${BASE}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: expect.arrayContaining(['iss', 'sub', 'aud', 'exp', 'https://aws.amazon.com/tags', 'https://aws.amazon.com/source_identity']),
    });
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('serves the current and the previous public key, kid = RFC 7638 thumbprint, cacheable', async () => {
    const result = await get('/.well-known/jwks.json');
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('public, max-age=300');
    expect(result.headers['x-content-type-options']).toBe('nosniff');
    const { keys } = JSON.parse(result.body) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.kid)).toEqual([await kidOf(current.publicKey), await kidOf(previous.publicKey)]);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('answers an unknown route with NOT_FOUND', async () => {
    const result = await get('/.well-known/other');
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body).code).toBe('NOT_FOUND');
    expect(result.headers['cache-control']).toBe('no-store');
  });
});
