// The JWKS of a KMS signing key through the issuer function's handler. KMS is aws-sdk-client-mock holding a real
// RSA key generated here; SIGNING_KEY_ARN is the template's environment variable.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { httpApiEvent, lambdaContext, type HttpApiHandler as Handler } from '../../tools/lib/lambda-events.ts';
import { captureOutput, type Capture } from '../support/capture.ts';


const kms = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
let dir: string;
let issuer: Handler;
let capture: Capture;

const getJwks = () =>
  issuer(httpApiEvent('/.well-known/jwks.json', { requestId: 'req-jwks' }), lambdaContext({ functionName: 'IssuerFunction', requestId: 'lambda-req', remainingMs: 10_000 }));

beforeAll(async () => {
  capture = captureOutput();
  dir = await mkdtemp(join(tmpdir(), 'broker-issuer-kms-'));
  const config = { version: 1, broker: { baseUrl: 'https://broker.example.com', signingKey: `kms:${KEY_ARN}` }, providers: {}, roles: {}, rules: [] };
  await writeFile(join(dir, 'broker.yaml'), stringify(config));
  Object.assign(process.env, {
    BROKER_CONFIG: join(dir, 'broker.yaml'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALFAKE',
    AWS_SECRET_ACCESS_KEY: 'local-fake',
  });
  issuer = (await import('../../functions/issuer/index.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  capture.restore();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /.well-known/jwks.json with a KMS key', () => {
  it('answers 503 SIGNING_UNAVAILABLE, not cacheable, while KMS fails; then serves the key, fetched once', async () => {
    kms.on(GetPublicKeyCommand).rejects(new KMSServiceException({ name: 'KMSInternalException', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'down' }));
    const down = await getJwks();
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toMatch(/^\d+$/);
    expect(down.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(down.body)).toMatchObject({ error: 'temporarily_unavailable', code: 'SIGNING_UNAVAILABLE' });

    kms.reset();
    kms.on(GetPublicKeyCommand).resolves({
      KeyId: KEY_ARN,
      PublicKey: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })),
      KeyUsage: 'SIGN_VERIFY',
      KeySpec: 'RSA_2048',
      SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'],
    });
    const first = await getJwks();
    const second = await getJwks();
    const { n, e } = pair.publicKey.export({ format: 'jwk' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(JSON.parse(first.body)).toEqual({ keys: [{ kty: 'RSA', n, e, kid: await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! }), alg: 'RS256', use: 'sig' }] });
    expect(second.body).toBe(first.body);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
  });
});
