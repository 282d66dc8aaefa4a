// POST /token and POST /roles through the exported handlers, with real peers on 127.0.0.1: oidc-provider (the
// development IdP) issuing ID tokens through a real code flow, a JWKS server for hand-made attack tokens, and
// dynalite for the replay table. STS is aws-sdk-client-mock, so every STS call can be inspected (or its absence).

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ErrorCode } from '../../shared/errors.ts';
import { httpApiEvent, lambdaContext, type HttpApiHandler as Handler } from '../../tools/lib/lambda-events.ts';
import { startDevOidcIdp, type DevOidcIdp } from '../../tools/local/dev-oidc-idp.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../../tools/local/dynamo.ts';
import { signInWithPassword } from '../../tools/local/oidc-sign-in.ts';
import { auditRecords, captureOutput, type Capture } from '../support/capture.ts';
import { createTestKey, signCompact, startTestOidcIdp, type TestOidcIdp } from '../support/oidc.ts';


const sts = mockClient(STSClient);
const READONLY = 'arn:aws:iam::111122223333:role/DevReadOnly';
const POWER = 'arn:aws:iam::111122223333:role/DevPowerUser';
const LONG = 'arn:aws:iam::111122223333:role/LongSessions';
const REDIRECT = 'http://127.0.0.1:9/oidc/callback';

let dir: string;
let dynamo: LocalDynamo;
let devIdp: DevOidcIdp;
let idp: TestOidcIdp;
let token: Handler;
let roles: Handler;
let capture: Capture;
const secrets: string[] = [];
let counter = 0;

const stsCredentials = () => {
  counter += 1;
  const creds = { AccessKeyId: `ASIATEST${String(counter).padStart(8, '0')}`, SecretAccessKey: `secret-${counter}-${Math.random()}`, SessionToken: `session-token-${counter}-${Math.random()}`, Expiration: new Date(Date.now() + 3600_000) };
  secrets.push(creds.SecretAccessKey, creds.SessionToken);
  return { Credentials: creds };
};

const event = (path: string, body: string, contentType?: string): APIGatewayProxyEventV2 => httpApiEvent(path, { body, contentType });

const context = lambdaContext({ functionName: 'TokenFunction', requestId: 'lambda-req', remainingMs: 10_000 });

const exchange = async (subjectToken: string, extra: Record<string, string> = {}) => {
  secrets.push(subjectToken);
  const params = { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', ...extra };
  const result = await token(event('/token', new URLSearchParams(params).toString()), context);
  return { ...result, json: JSON.parse(result.body) as Record<string, any> };
};

const mint = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => idp.mint({ now: new Date(), claims, header });

beforeAll(async () => {
  capture = captureOutput();
  dir = await mkdtemp(join(tmpdir(), 'broker-token-'));
  dynamo = await startDynalite();
  await createReplayTable(dynamo.endpoint, 'replay-int');
  idp = await startTestOidcIdp();
  devIdp = await startDevOidcIdp({ clients: [{ client_id: 'broker-local', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }] });
  const config = {
    version: 1,
    broker: { baseUrl: 'https://broker.example.com', defaultSessionSeconds: 3600 },
    providers: {
      dev: { type: 'oidc', issuer: devIdp.issuer, clientId: 'broker-local' },
      test: { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId },
      'test-once': { type: 'oidc', issuer: idp.issuer, audiences: ['single-use-client'], singleUseJti: true },
    },
    roles: {
      readonly: { arn: READONLY, label: 'Read only', maxSessionSeconds: 3600 },
      power: { arn: POWER, maxSessionSeconds: 3600 },
      long: { arn: LONG, maxSessionSeconds: 43200 },
    },
    rules: [
      { id: 'no-contractors', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
      {
        id: 'devs',
        roles: ['readonly'],
        conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] }, Bool: { 'broker:mfa': true } },
        session: { name: '${email}', sourceIdentity: '${email}', tags: { Team: '${department}', Groups: '${groups}', Missing: '${nope}' }, transitiveTags: ['Team'] },
      },
      { id: 'platform', providers: ['dev'], roles: ['power'], conditions: { 'ForAnyValue:StringLike': { groups: ['eng-*'] } }, session: { name: '${email}' } },
      { id: 'long', providers: ['test'], roles: ['long'], conditions: { StringEquals: { email: 'long@example.com' } } },
    ],
  };
  await writeFile(join(dir, 'broker.yaml'), stringify(config));
  Object.assign(process.env, {
    BROKER_CONFIG: join(dir, 'broker.yaml'),
    REPLAY_TABLE: 'replay-int',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  token = (await import('../../functions/token/index.ts')).handler as unknown as Handler;
  roles = (await import('../../functions/roles/index.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  capture.restore();
  await devIdp?.stop();
  await idp?.close();
  await dynamo?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(stsCredentials);
});

describe('POST /token with a real oidc-provider', () => {
  it('exchanges alice\'s ID token for credentials that are credential_process output', async () => {
    const { idToken } = await signInWithPassword({ issuer: devIdp.issuer, clientId: 'broker-local', redirectUri: REDIRECT, username: 'alice', password: 'alice-dev-password' });
    const result = await exchange(idToken, { audience: 'readonly' });
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.json).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/), RoleArn: READONLY, issued_token_type: 'urn:federation-broker:token-type:aws-credentials', token_type: 'N_A' });
    expect(result.json.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(result.json.expires_in).toBeGreaterThan(3500);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: READONLY,
      RoleSessionName: 'alice@example.com',
      SourceIdentity: 'alice@example.com',
      DurationSeconds: 3600,
      Tags: [{ Key: 'Team', Value: 'Platform' }, { Key: 'Groups', Value: 'aws-dev:eng-platform' }],
      TransitiveTagKeys: ['Team'],
    });
  });

  it('refuses bob (no MFA) with ROLE_NOT_GRANTED and calls STS not at all', async () => {
    const { idToken } = await signInWithPassword({ issuer: devIdp.issuer, clientId: 'broker-local', redirectUri: REDIRECT, username: 'bob', password: 'bob-dev-password' });
    const result = await exchange(idToken, { audience: 'readonly' });
    expect(result.statusCode).toBe(400);
    expect(result.json).toMatchObject({ error: 'invalid_target', code: 'ROLE_NOT_GRANTED', request_id: expect.any(String) });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('asks for a role when several are granted, and lists them on /roles', async () => {
    const { idToken } = await signInWithPassword({ issuer: devIdp.issuer, clientId: 'broker-local', redirectUri: REDIRECT, username: 'alice', password: 'alice-dev-password' });
    expect((await exchange(idToken)).json.code).toBe('ROLE_REQUIRED');
    const listed = await roles(event('/roles', new URLSearchParams({ subject_token: idToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }).toString()), context);
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body)).toEqual({ roles: [{ id: 'readonly', arn: READONLY, label: 'Read only', maxSessionSeconds: 3600 }, { id: 'power', arn: POWER, maxSessionSeconds: 3600 }] });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('POST /token: session parameters', () => {
  it('picks the role by ARN (resource), clamps the duration to the role-chaining cap', async () => {
    const result = await exchange(mint(), { resource: READONLY, duration_seconds: '7200' });
    expect(result.statusCode).toBe(200);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.DurationSeconds).toBe(3600);
  });

  it('implies the only granted role and accepts a JSON body', async () => {
    const body = JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: mint({ email: 'long@example.com', groups: [] }), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', duration_seconds: 1200 });
    const result = await token(event('/token', body, 'application/json'), context);
    expect(result.statusCode).toBe(200);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ RoleArn: LONG, DurationSeconds: 1200, RoleSessionName: 'alice' });
  });

  it('refuses a JSON body that names a parameter twice (as a form body would be refused)', async () => {
    const body = JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: mint(), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', audience: 'readonly' });
    const result = await token(event('/token', body.replace(/}$/, ',"audience":"power"}'), 'application/json'), context);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).code).toBe('INVALID_REQUEST');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('sanitises the session name and source identity before calling STS', async () => {
    const result = await exchange(mint({ email: 'Zoë Ødegård <zoe@example.com>', department: 'R&D / Ops' }), { audience: 'readonly' });
    expect(result.statusCode).toBe(200);
    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input?.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(input?.RoleSessionName).toMatch(/-[0-9a-f]{16}$/);
    expect(input?.SourceIdentity).toBe(input?.RoleSessionName);
    expect(input?.Tags).toContainEqual({ Key: 'Team', Value: 'R-D / Ops' });
  });

  it('refuses a session shorter than 900 s', async () => {
    expect((await exchange(mint(), { audience: 'readonly', duration_seconds: '600' })).json.code).toBe('SESSION_TOO_SHORT');
  });

  it('denies a contractor by rule', async () => {
    expect((await exchange(mint({ groups: ['aws-dev', 'contractors'] }), { audience: 'readonly' })).json.code).toBe('DENIED_BY_RULE');
  });
});

describe('POST /token: STS failures', () => {
  const stsError = (name: string, status: number) => new STSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });

  it('survives a burst of throttling', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('Throttling', 400)).rejectsOnce(stsError('Throttling', 400)).callsFake(stsCredentials);
    expect((await exchange(mint(), { audience: 'readonly' })).statusCode).toBe(200);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('answers 503 STS_UNAVAILABLE with Retry-After when STS stays unavailable', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).rejects(stsError('ServiceUnavailable', 503));
    const result = await exchange(mint(), { audience: 'readonly' });
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toMatch(/^\d+$/);
    expect(result.json).toMatchObject({ error: 'temporarily_unavailable', code: 'STS_UNAVAILABLE' });
  });

  it('answers STS_REJECTED naming the role when STS refuses, never 500', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied', 403));
    const result = await exchange(mint(), { audience: 'readonly' });
    expect(result.statusCode).toBe(400);
    expect(result.json.code).toBe('STS_REJECTED');
    expect(result.json.error_description).toContain(READONLY);
  });
});

describe('POST /token: attacks', () => {
  const t = () => Math.floor(Date.now() / 1000);
  const attacker = createTestKey('test-key-1');
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  type Row = [string, ErrorCode, () => string];
  const rows: Row[] = [
    ...['none', 'None', 'NONE'].map((alg): Row => [`alg ${alg}`, 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ now: new Date(), header: { alg }, signature: { raw: '' } })]),
    ['HS256 keyed with the RSA public key', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ now: new Date(), header: { alg: 'HS256' }, signature: { hmacSecret: idp.key.publicPem } })],
    ['embedded jwk', 'TOKEN_INVALID', () => idp.mint({ now: new Date(), header: { jwk: attacker.publicJwk }, signature: { key: attacker } })],
    ['jku', 'TOKEN_INVALID', () => mint({}, { jku: 'http://127.0.0.1:9/jwks' })],
    ['unknown crit', 'TOKEN_INVALID', () => mint({}, { crit: ['exp-ext'], 'exp-ext': true })],
    ['unknown kid', 'UNKNOWN_KEY', () => idp.mint({ now: new Date(), header: { kid: 'not-a-key' }, signature: { key: createTestKey('not-a-key') } })],
    ['a key not in the JWKS under a known kid', 'SIGNATURE_INVALID', () => idp.mint({ now: new Date(), signature: { key: attacker } })],
    ['expired', 'TOKEN_EXPIRED', () => mint({ iat: t() - 7200, exp: t() - 3600 })],
    ['nbf in the future', 'TOKEN_NOT_YET_VALID', () => mint({ nbf: t() + 3600 })],
    ['iat in the future', 'TOKEN_NOT_YET_VALID', () => mint({ iat: t() + 3600, exp: t() + 7200 })],
    ['wrong iss', 'UNKNOWN_PROVIDER', () => mint({ iss: 'https://evil.example.com' })],
    ['wrong aud', 'AUDIENCE_MISMATCH', () => mint({ aud: 'someone-else' })],
    ['extra audience without azp', 'AUDIENCE_MISMATCH', () => mint({ aud: [idp.clientId, 'someone-else'] })],
    ['azp of another client', 'AUDIENCE_MISMATCH', () => mint({ aud: [idp.clientId, 'someone-else'], azp: 'someone-else' })],
    ['missing exp', 'TOKEN_INVALID', () => mint({ exp: undefined })],
    ['missing sub', 'TOKEN_INVALID', () => mint({ sub: undefined })],
    ['oversized', 'PAYLOAD_TOO_LARGE', () => mint({ padding: 'x'.repeat(20_000) })],
    ['JWE', 'TOKEN_INVALID', () => `${b64('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`],
    ['duplicate JSON keys', 'TOKEN_INVALID', () => signCompact('{"alg":"RS256","kid":"test-key-1"}', `{"iss":"${idp.issuer}","sub":"alice","aud":"${idp.clientId}","iat":${t()},"exp":${t() + 300},"email":"alice@example.com","email":"admin@example.com"}`, { key: idp.key })],
    ['garbage', 'TOKEN_INVALID', () => 'not-a-jwt'],
    ['typ at+jwt', 'TOKEN_INVALID', () => mint({}, { typ: 'at+jwt' })],
  ];

  it.each(rows)('%s → %s, no STS call', async (_name, code, build) => {
    const result = await exchange(build(), { audience: 'readonly' });
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(result.json.code).toBe(code);
    expect(result.json).not.toHaveProperty('AccessKeyId');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('a __proto__ claim is an ordinary claim and pollutes nothing', async () => {
    const payload = `{"iss":"${idp.issuer}","sub":"alice","aud":"${idp.clientId}","iat":${t()},"exp":${t() + 300},"email":"alice@example.com","groups":["aws-dev"],"amr":["mfa"],"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}`;
    const result = await exchange(signCompact('{"alg":"RS256","kid":"test-key-1"}', payload, { key: idp.key }), { audience: 'readonly' });
    expect(result.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a second exchange of one jti (replay store on dynalite)', async () => {
    const once = () => idp.mint({ now: new Date(), claims: { aud: 'single-use-client', jti: 'jti-replay-1' } });
    const first = once();
    expect((await exchange(first, { audience: 'readonly' })).statusCode).toBe(200);
    expect((await exchange(first, { audience: 'readonly' })).json.code).toBe('REPLAY_DETECTED');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  // A NumericDate that is no real date once became a NaN replay-store expiry: DynamoDB's ValidationException, a 503.
  it.each([
    ['exp 1e13 (the year 318857)', (p: string) => p.replace(/"exp":\d+/, '"exp":1e13')],
    ['exp 1e309 (Infinity)', (p: string) => p.replace(/"exp":\d+/, '"exp":1e309')],
    ['exp an hour past the maximum token age', (p: string) => p.replace(/"exp":\d+/, `"exp":${t() + 7200}`)],
  ])('refuses a singleUseJti token whose %s with 400 TOKEN_INVALID, never a 503', async (_name, mutate) => {
    const payload = JSON.stringify({ ...idp.claims(new Date()), aud: 'single-use-client', jti: `jti-date-${randomUUID()}` });
    const result = await exchange(signCompact('{"alg":"RS256","kid":"test-key-1"}', mutate(payload), { key: idp.key }), { audience: 'readonly' });
    expect(result.statusCode).toBe(400);
    expect(result.json.code).toBe('TOKEN_INVALID');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it.each([
    ['missing grant_type', 'INVALID_REQUEST', 'subject_token=x&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token'],
    ['wrong grant_type', 'UNSUPPORTED_GRANT_TYPE', 'grant_type=password&subject_token=x&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token'],
  ])('refuses a malformed request: %s', async (_name, code, body) => {
    const result = await token(event('/token', body), context);
    expect(JSON.parse(result.body).code).toBe(code);
  });
});

describe('audit and logs', () => {
  it('writes one audit record per decision and never a token or secret', () => {
    const text = capture.text();
    const records = auditRecords(capture.lines());
    expect(records.length).toBeGreaterThan(20);
    const grant = records.find((r) => r.decision === 'grant' && r.roleArn === READONLY);
    expect(grant).toMatchObject({ route: '/token', protocol: 'oidc', provider: expect.any(String), subject: expect.any(String), ruleIds: ['devs'], durationBoundBy: expect.any(String), accessKeyId: expect.stringMatching(/^ASIA/) });
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/); // no JWT-looking value at all
  });
});
