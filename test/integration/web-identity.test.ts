// Web-identity issuance end to end through the exported handlers: POST /token (functions/token) signs a token with
// the broker's KMS key and calls AssumeRoleWithWebIdentity; the token must verify against the JWKS that
// GET /.well-known/jwks.json (functions/issuer) serves, as STS verifies it. The subject tokens come from the test
// OIDC IdP on 127.0.0.1; STS and KMS are aws-sdk-client-mock, KMS holding a real RSA key generated here.

import { constants, generateKeyPairSync, privateEncrypt, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { httpApiEvent, lambdaContext, type HttpApiHandler as Handler } from '../../tools/lib/lambda-events.ts';
import { auditRecords, captureOutput, type Capture } from '../support/capture.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../support/oidc.ts';


const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
const BASE = 'https://broker.example.com';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const LONG = 'arn:aws:iam::111122223333:role/LongSession';
const CHAINED = 'arn:aws:iam::111122223333:role/Chained';
const kmsKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const previousKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

let dir: string;
let idp: TestOidcIdp;
let token: Handler;
let issuer: Handler;
let capture: Capture;

/** SHA-256 DigestInfo prefix (RFC 8017 §9.2): RSASSA-PKCS1-v1_5 over a digest KMS was given. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const kmsSign = (key: KeyObject) => (input: SignCommandInput) => {
  const message = Buffer.from(input.Message ?? new Uint8Array());
  const signature = input.MessageType === 'DIGEST' ? privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, message])) : sign('sha256', message, key);
  return { KeyId: KEY_ARN, Signature: new Uint8Array(signature), SigningAlgorithm: input.SigningAlgorithm };
};

const stsCredentials = (input: { DurationSeconds?: number }) => ({
  Credentials: { AccessKeyId: 'ASIATESTWEBIDENTITY', SecretAccessKey: `secret-${Math.random()}`, SessionToken: `token-${Math.random()}`, Expiration: new Date(Date.now() + (input.DurationSeconds ?? 3600) * 1000) },
});

const context = lambdaContext({ functionName: 'TokenFunction', requestId: 'lambda-req', remainingMs: 10_000 });
const event = (method: string, path: string, body?: string): APIGatewayProxyEventV2 => httpApiEvent(path, { method, body });

const exchange = async (params: Record<string, string>) => {
  const subjectToken = idp.mint({ now: new Date(), claims: { groups: ['eng-platform'], department: 'Platform' } });
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', ...params });
  const result = await token(event('POST', '/token', body.toString()), context);
  return { ...result, json: JSON.parse(result.body) as Record<string, any> };
};

/** The JWKS as STS would fetch it: from the issuer function. */
const servedJwks = async () => {
  const result = await issuer(event('GET', '/.well-known/jwks.json'), context);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as JSONWebKeySet;
};

const kidOf = (key: KeyObject) => {
  const { n, e } = key.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! });
};

beforeAll(async () => {
  capture = captureOutput();
  dir = await mkdtemp(join(tmpdir(), 'broker-web-identity-'));
  idp = await startTestOidcIdp();
  await writeFile(join(dir, 'previous.pem'), previousKey.privateKey.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
  const config = {
    version: 1,
    broker: { baseUrl: BASE, defaultSessionSeconds: 3600, signingKey: `kms:${KEY_ARN}`, previousSigningKey: 'file:previous.pem' },
    providers: { 'corp-oidc': { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId } },
    roles: {
      long: { arn: LONG, maxSessionSeconds: 43_200, issuance: 'web-identity' },
      chained: { arn: CHAINED, maxSessionSeconds: 43_200 },
    },
    rules: [
      {
        id: 'engineers-long',
        roles: ['long', 'chained'],
        conditions: { 'ForAnyValue:StringLike': { groups: ['eng-*'] }, Bool: { 'broker:mfa': true } },
        session: { name: '${email}', sourceIdentity: '${email}', tags: { Team: '${department}' }, transitiveTags: ['Team'] },
      },
    ],
  };
  await writeFile(join(dir, 'broker.yaml'), stringify(config));
  Object.assign(process.env, {
    BROKER_CONFIG: join(dir, 'broker.yaml'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALFAKE',
    AWS_SECRET_ACCESS_KEY: 'local-fake',
    // Never reached (no singleUseJti): a refused connection if it were.
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  });
  token = (await import('../../functions/token/index.ts')).handler as unknown as Handler;
  issuer = (await import('../../functions/issuer/index.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  capture.restore();
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sts.reset();
  kms.reset();
  sts.on(AssumeRoleWithWebIdentityCommand).callsFake(stsCredentials);
  sts.on(AssumeRoleCommand).callsFake(stsCredentials);
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN,
    PublicKey: new Uint8Array(kmsKey.publicKey.export({ format: 'der', type: 'spki' })),
    KeyUsage: 'SIGN_VERIFY',
    KeySpec: 'RSA_2048',
    SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'],
  });
  kms.on(SignCommand).callsFake(kmsSign(kmsKey.privateKey));
});

describe('POST /token for a web-identity role', () => {
  it('signs a token that verifies against the served JWKS and gets a 12-hour session from AssumeRoleWithWebIdentity', async () => {
    const result = await exchange({ audience: 'long', duration_seconds: '43200' });
    expect(result.statusCode).toBe(200);
    expect(result.json).toMatchObject({ Version: 1, RoleArn: LONG, AccessKeyId: 'ASIATESTWEBIDENTITY' });
    expect(result.json.expires_in).toBeGreaterThan(43_000);

    const input = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ RoleArn: LONG, RoleSessionName: 'alice@example.com', DurationSeconds: 43_200 });
    const jwks = await servedJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([await kidOf(kmsKey.publicKey), await kidOf(previousKey.publicKey)]);
    const { payload, protectedHeader } = await jwtVerify(input?.WebIdentityToken ?? '', createLocalJWKSet(jwks), {
      issuer: BASE,
      audience: 'sts.amazonaws.com',
      algorithms: ['RS256'],
      requiredClaims: ['iat', 'exp', 'jti', 'sub'],
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: await kidOf(kmsKey.publicKey) });
    expect(payload).toMatchObject({
      sub: 'corp-oidc:alice',
      'https://aws.amazon.com/tags': { principal_tags: { Team: ['Platform'] }, transitive_tag_keys: ['Team'] },
      'https://aws.amazon.com/source_identity': 'alice@example.com',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(kms.commandCalls(SignCommand)[0]?.args[0].input).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('clamps the same request for an assume-role role to 3600 s (role-chaining)', async () => {
    const result = await exchange({ audience: 'chained', duration_seconds: '43200' });
    expect(result.statusCode).toBe(200);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.DurationSeconds).toBe(3600);
    const record = auditRecords(capture.lines()).findLast((r) => r.roleArn === CHAINED);
    expect(record).toMatchObject({ decision: 'grant', durationSeconds: 3600, durationBoundBy: 'role-chaining' });
  });

  it('answers 503 SIGNING_UNAVAILABLE with Retry-After when KMS cannot sign, and calls no STS', async () => {
    kms.on(SignCommand).rejects(new KMSServiceException({ name: 'KMSInvalidStateException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'disabled' }));
    const result = await exchange({ audience: 'long' });
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toMatch(/^\d+$/);
    expect(result.json).toMatchObject({ error: 'temporarily_unavailable', code: 'SIGNING_UNAVAILABLE' });
    expect(sts.calls()).toHaveLength(0);
  });

  it('logs the grant with its bound and never the web-identity token', async () => {
    await exchange({ audience: 'long', duration_seconds: '43200' });
    const webToken = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input.WebIdentityToken ?? '';
    expect(webToken.length).toBeGreaterThan(100);
    expect(capture.text()).not.toContain(webToken.split('.')[2]);
    const record = auditRecords(capture.lines()).findLast((r) => r.roleArn === LONG && r.decision === 'grant');
    expect(record).toMatchObject({ durationSeconds: 43_200, durationBoundBy: 'requested', sourceIdentity: 'alice@example.com' });
  });
});
