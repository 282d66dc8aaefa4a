// The metrics of POST /token through the composed handler, as functions/token/index.ts composes it (the broker, its
// routes and the one middy stack) with an EMF writer whose lines this test reads: real peers on 127.0.0.1 (test OIDC
// IdPs, dynalite for single-use jti), STS by aws-sdk-client-mock. Each kind of request — a grant, each refusal
// class, STS throttled, an IdP down — leaves EMF lines that follow the specification and count exactly what happened;
// 1,000 distinct subjects from 1,000 addresses leave no subject, address or role ARN in any dimension.

import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../shared/audit/metrics.ts';
import { createEmfWriter } from '../../shared/audit/powertools-metrics.ts';
import * as awsClients from '../../shared/compose/aws-clients.ts';
import { composeBroker } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { buildConfig } from '../../shared/config/index.ts';
import { ERROR_TABLE } from '../../shared/errors.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { httpApiEvent, lambdaContext, type HttpApiHandler } from '../../tools/lib/lambda-events.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../../tools/local/dynamo.ts';
import { captureOutput, type Capture } from '../support/capture.ts';
import { emfDocuments, emfProblems, emfSeries, emfSum, type EmfDocument } from '../support/emf.ts';
import { createTestKey, startTestOidcIdp, type TestOidcIdp } from '../support/oidc.ts';

const SERVICE = 'metrics-test-stack';
const ROLE = 'arn:aws:iam::111122223333:role/DevReadOnly';
const sts = mockClient(STSClient);

let idp: TestOidcIdp;
let downIdp: TestOidcIdp;
let dynamo: LocalDynamo;
let capture: Capture;
let handler: HttpApiHandler;
let emf: string[] = [];
let counter = 0;

const credentials = () => {
  counter += 1;
  return { Credentials: { AccessKeyId: `ASIAMETRICS${String(counter).padStart(6, '0')}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3600_000) } };
};

const stsError = (name: string, status: number) => new STSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });

const exchange = async (subjectToken: string, sourceIp = '203.0.113.7') => {
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }).toString();
  return handler(httpApiEvent('/token', { body, sourceIp }), lambdaContext({ functionName: 'TokenFunction', requestId: 'metrics-test' }));
};

/** The EMF documents written by one request, each checked against the specification. */
const metricsOf = async (request: () => Promise<{ statusCode?: number }>): Promise<{ status: number | undefined; docs: EmfDocument[] }> => {
  emf = [];
  const { statusCode } = await request();
  for (const line of emf) expect(emfProblems(line), line).toEqual([]);
  return { status: statusCode, docs: emfDocuments(emf) };
};

const mint = (claims: Record<string, unknown> = {}, from: TestOidcIdp = idp) => from.mint({ now: new Date(), claims });

beforeAll(async () => {
  capture = captureOutput();
  idp = await startTestOidcIdp();
  downIdp = await startTestOidcIdp();
  downIdp.setJwksDown(true);
  dynamo = await startDynalite();
  await createReplayTable(dynamo.endpoint, 'replay-metrics');
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
  const config = await buildConfig(
    {
      version: 1,
      broker: { baseUrl: 'https://broker.example.com' },
      providers: {
        'corp-oidc': { type: 'oidc', issuer: idp.issuer, clientId: idp.clientId },
        'corp-once': { type: 'oidc', issuer: idp.issuer, audiences: ['single-use-client'], singleUseJti: true },
        flaky: { type: 'oidc', issuer: downIdp.issuer, clientId: downIdp.clientId },
      },
      roles: { readonly: { arn: ROLE, maxSessionSeconds: 3600 } },
      rules: [
        { id: 'no-contractors', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
        { id: 'devs', roles: ['readonly'], conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] } }, session: { name: '${email}' } },
      ],
    },
    '/test/broker.yaml',
    { env: {} },
  );
  const metrics = createMetrics({ function: 'token', codes: Object.keys(ERROR_TABLE), providers: Object.keys(config.providers), write: createEmfWriter({ serviceName: SERVICE, print: (line) => void emf.push(line) }) });
  const broker = composeBroker({ config, aws: { region: 'us-east-1' }, clients: awsClients, replayTable: 'replay-metrics', metrics, audit: () => undefined });
  handler = brokerHandler('api', composeTokenRoutes(broker, modulesBeside(new URL('../../functions/token/index.ts', import.meta.url).href).saml2), broker) as unknown as HttpApiHandler;
});

afterAll(async () => {
  capture.restore();
  await idp?.close();
  await downIdp?.close();
  await dynamo?.stop();
});

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(credentials);
});

const svc = (dims: Record<string, string> = {}) => ({ service: SERVICE, ...dims });

describe('metrics of POST /token, by kind of request', () => {
  it('a grant: credentials issued for its provider and function, the STS call timed; no refusal', async () => {
    const { status, docs } = await metricsOf(() => exchange(mint()));
    expect(status).toBe(200);
    expect(emfSum(docs, 'CredentialsIssued', svc())).toBe(1);
    expect(emfSum(docs, 'CredentialsIssued', svc({ provider: 'corp-oidc' }))).toBe(1);
    expect(emfSum(docs, 'CredentialsIssued', svc({ function: 'token' }))).toBe(1);
    expect(emfSeries(docs).filter((s) => s.name === 'StsLatency').map((s) => s.dimensions)).toEqual([svc(), svc({ operation: 'AssumeRole' })]);
    expect(emfSum(docs, 'Refusals', svc()) + emfSum(docs, 'Failures', svc()) + emfSum(docs, 'StsThrottles', svc())).toBe(0);
  });

  // One row per refusal class, each built from the valid token by one change.
  const other = createTestKey('test-key-1');
  it.each<readonly [string, () => string]>([
    ['TOKEN_INVALID', () => 'not-a-jwt'],
    ['SIGNATURE_INVALID', () => idp.mint({ now: new Date(), signature: { key: other } })],
    ['TOKEN_EXPIRED', () => mint({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 4000 })],
    ['AUDIENCE_MISMATCH', () => mint({ aud: 'another-app' })],
    ['NO_ROLE_GRANTED', () => mint({ groups: ['sales'] })],
    ['DENIED_BY_RULE', () => mint({ groups: ['aws-dev', 'contractors'] })],
  ])('a refusal (%s): one refusal by its code and function; no credentials, no STS call', async (code, token) => {
    const { status, docs } = await metricsOf(() => exchange(token()));
    expect(status).toBe(400);
    expect(emfSum(docs, 'Refusals', svc())).toBe(1);
    expect(emfSum(docs, 'Refusals', svc({ code }))).toBe(1);
    expect(emfSum(docs, 'Refusals', svc({ function: 'token' }))).toBe(1);
    expect(emfSum(docs, 'CredentialsIssued', svc()) + emfSum(docs, 'Failures', svc()) + emfSum(docs, 'StsLatency', svc())).toBe(0);
  });

  it('a replayed jti: the second use is a REPLAY_DETECTED refusal and a replay of kind jti', async () => {
    const token = mint({ aud: 'single-use-client', jti: `jti-${Date.now()}` });
    expect((await metricsOf(() => exchange(token))).status).toBe(200);
    const { status, docs } = await metricsOf(() => exchange(token));
    expect(status).toBe(400);
    expect(emfSum(docs, 'Refusals', svc({ code: 'REPLAY_DETECTED' }))).toBe(1);
    expect(emfSum(docs, 'ReplaysDetected', svc({ kind: 'jti' }))).toBe(1);
  });

  it('STS throttling to the end: a STS_UNAVAILABLE failure, every throttled attempt counted, the call timed', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));
    const { status, docs } = await metricsOf(() => exchange(mint()));
    expect(status).toBe(503);
    expect(emfSum(docs, 'Failures', svc({ code: 'STS_UNAVAILABLE' }))).toBe(1);
    expect(emfSum(docs, 'StsThrottles', svc({ operation: 'AssumeRole' }))).toBe(sts.commandCalls(AssumeRoleCommand).length);
    expect(sts.commandCalls(AssumeRoleCommand).length).toBeGreaterThan(1);
    expect(emfSum(docs, 'StsLatency', svc()) >= 0 && emfSeries(docs).some((s) => s.name === 'StsLatency')).toBe(true);
    expect(emfSum(docs, 'Refusals', svc()) + emfSum(docs, 'CredentialsIssued', svc())).toBe(0);
  });

  it('STS throttling once, then credentials: a grant with one throttle counted', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('Throttling', 400)).callsFake(credentials);
    const { status, docs } = await metricsOf(() => exchange(mint()));
    expect(status).toBe(200);
    expect(emfSum(docs, 'StsThrottles', svc())).toBe(1);
    expect(emfSum(docs, 'CredentialsIssued', svc())).toBe(1);
  });

  it('STS refusing the role: a STS_REJECTED refusal, no throttle', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied', 403));
    const { status, docs } = await metricsOf(() => exchange(mint()));
    expect(status).toBe(400);
    expect(emfSum(docs, 'Refusals', svc({ code: 'STS_REJECTED' }))).toBe(1);
    expect(emfSum(docs, 'StsThrottles', svc())).toBe(0);
  });

  it("an IdP whose JWKS is down: an IDP_UNAVAILABLE failure, a key fetch and its failure for that provider", async () => {
    const { status, docs } = await metricsOf(() => exchange(mint({}, downIdp)));
    expect(status).toBe(503);
    expect(emfSum(docs, 'Failures', svc({ code: 'IDP_UNAVAILABLE' }))).toBe(1);
    expect(emfSum(docs, 'IdpKeyFetches', svc({ provider: 'flaky' }))).toBe(1);
    expect(emfSum(docs, 'IdpKeyFetchFailures', svc({ provider: 'flaky' }))).toBe(1);
  });
});

describe('cardinality', () => {
  it('1,000 distinct subjects from 1,000 addresses: every dimension keeps a handful of values, none of them a subject, address or role ARN', async () => {
    emf = [];
    const subjects: string[] = [];
    const addresses: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const subject = `user-${i}-${Math.random().toString(36).slice(2)}`;
      const address = `198.51.${Math.floor(i / 250)}.${i % 250}`;
      subjects.push(subject, `${subject}@example.com`);
      addresses.push(address);
      // Granted, refused by rule and refused as malformed, in turn: grants, refusals and their codes all get values.
      const claims = i % 3 === 0 ? { sub: subject, email: `${subject}@example.com` } : i % 3 === 1 ? { sub: subject, email: `${subject}@example.com`, groups: [subject] } : {};
      const result = await exchange(i % 3 === 2 ? `${subject}.not.a-token` : mint(claims), address);
      expect(result.statusCode).toBe(i % 3 === 0 ? 200 : 400);
    }
    const docs = emfDocuments(emf);
    for (const line of emf) expect(emfProblems(line)).toEqual([]);
    const values = new Map<string, Set<string>>();
    for (const series of emfSeries(docs)) for (const [name, value] of Object.entries(series.dimensions)) values.set(name, (values.get(name) ?? new Set()).add(value));
    const counts = Object.fromEntries([...values].map(([name, set]) => [name, set.size]));
    expect(counts).toEqual({ service: 1, function: 1, code: 2, provider: 1, operation: 1 });
    const forbidden = new Set([...subjects, ...addresses, ROLE]);
    const leaked = docs.flatMap((doc) => Object.values(doc).filter((v): v is string => typeof v === 'string' && forbidden.has(v)));
    expect(leaked).toEqual([]);
    expect(emfSum(docs, 'CredentialsIssued', svc())).toBe(334);
    expect(emfSum(docs, 'Refusals', svc())).toBe(666);
  }, 120_000);
});
