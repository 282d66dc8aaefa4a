// DynamoDB (the replay store) unavailable: every flow that needs a single-use record fails closed with
// 503 REPLAY_STORE_UNAVAILABLE + Retry-After and never issues — an ID token of a provider with singleUseJti, a SAML
// response on the ACS or as a subject token, a role-picker ticket on /session. Through the exported handlers, with
// dynalite behind a proxy that resets, hangs or answers DynamoDB errors, the offline STS and real IdPs on 127.0.0.1.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BootedBroker } from '../../tools/local/boot.ts';
import type { StsEmulator } from '../../tools/local/sts-emulator.ts';
import { auditRecords, captureOutput, type Capture } from '../support/capture.ts';
import { ACS_URL, ALICE, createTestIdp, encode, SP_ENTITY_ID, type TestIdp } from '../support/saml-idp.ts';
import {
  apiEvent, bootFaultBroker, CookieJar, errorCodeOf, faultConfig, formField, jsonOf, lambdaContext, SAML2_TYPE, tokenBody,
  type Handler, type HandlerResult,
} from './support/broker.ts';
import { dynamoError, startFlakyIdp, startSwitchableProxy, type CannedResponse, type FlakyIdp, type ProxyMode, type SwitchableProxy } from './support/peers.ts';

let broker: BootedBroker | undefined;
let store: SwitchableProxy;
let sts: StsEmulator;
let oidc: FlakyIdp;
let saml: TestIdp;
let capture: Capture;
let token: Handler;
let acs: Handler;
let session: Handler;

beforeAll(async () => {
  capture = captureOutput();
  oidc = await startFlakyIdp({ audience: 'once-client' });
  saml = await createTestIdp();
  const config = faultConfig({
    oidc: { once: { issuer: oidc.issuer, audience: 'once-client', singleUseJti: true }, plain: { issuer: oidc.issuer, audience: 'plain-client' } },
    samlMetadataFile: 'idp.xml',
    sealingSecretRef: 'env:FAULTS_SEALING_SECRET',
  });
  // dynalite (its table created directly) behind a proxy that resets, hangs or answers DynamoDB errors.
  broker = await bootFaultBroker({
    config: { document: config, files: { 'idp.xml': saml.metadataXml } },
    replayTable: 'replay-faults',
    front: { dynamo: async (endpoint) => (store = await startSwitchableProxy(endpoint)) },
    sealing: true,
  });
  sts = broker.stsEmulator!;
  [token, acs, session] = await Promise.all([broker.handler('token'), broker.handler('saml'), broker.handler('session')]);
});

afterAll(async () => {
  capture?.restore();
  await broker?.stop();
  await oidc?.close();
});

beforeEach(() => store.setMode('forward'));

const samlResponse = async (): Promise<string> => encode(await saml.loginResponseXml({ now: new Date(), user: ALICE, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL }));

const exchange = (subjectToken: string, type?: string): Promise<HandlerResult> =>
  token(apiEvent('POST', '/token', { body: tokenBody(subjectToken, {}, type) }), lambdaContext);

const postAcs = (response: string, jar = new CookieJar()): Promise<HandlerResult> =>
  acs(apiEvent('POST', '/saml/acs', { body: new URLSearchParams({ SAMLResponse: response }).toString(), cookies: jar.header() }), lambdaContext);

/** IdP-initiated sign-in while the store is up: the picker's ticket and the browser's cookies. */
const pickerTicket = async (): Promise<{ ticket: string; jar: CookieJar }> => {
  const jar = new CookieJar();
  const picker = await postAcs(await samlResponse(), jar);
  expect(picker.statusCode).toBe(200);
  jar.store(picker);
  return { ticket: formField(picker.body, 'ticket') ?? '', jar };
};

const postSession = (ticket: string, jar: CookieJar): Promise<HandlerResult> =>
  session(apiEvent('POST', '/session', { body: new URLSearchParams({ ticket, role: 'readonly', target: 'cli', duration: '900' }).toString(), cookies: jar.header() }), lambdaContext);

const expectUnavailable = (result: HandlerResult): void => {
  expect(result.statusCode).toBe(503);
  expect(result.headers['retry-after']).toMatch(/^\d+$/);
  expect(result.body).not.toMatch(/AccessKeyId|AWS_ACCESS_KEY_ID|name="ticket"/);
};

describe('with the replay store up (the baseline every fault row mutates)', () => {
  it('grants a single-use ID token, a SAML sign-in and a ticket', async () => {
    expect((await exchange(oidc.mint({ claims: { aud: 'once-client' } }))).statusCode).toBe(200);
    const { ticket, jar } = await pickerTicket();
    const result = await postSession(ticket, jar);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('AWS_ACCESS_KEY_ID');
  });
});

const failures: Array<[string, ProxyMode, CannedResponse | undefined]> = [
  ['connections reset', 'reset', undefined],
  ['HTTP 500 InternalServerError', 'respond', dynamoError(500, 'InternalServerError')],
  ['throttled (ProvisionedThroughputExceededException)', 'respond', dynamoError(400, 'ProvisionedThroughputExceededException')],
];

describe.each(failures)('with the replay store %s', (_name, mode, canned) => {
  beforeEach(() => store.setMode(mode, canned));

  it('refuses a singleUseJti ID token with 503 REPLAY_STORE_UNAVAILABLE, in 2 store attempts, without calling STS', async () => {
    const calls = sts.calls.length;
    const attempts = store.requests();
    const result = await exchange(oidc.mint({ claims: { aud: 'once-client' } }));
    expectUnavailable(result);
    expect(jsonOf(result)).toMatchObject({ error: 'temporarily_unavailable', code: 'REPLAY_STORE_UNAVAILABLE' });
    expect(store.requests() - attempts).toBe(2); // the DynamoDB client's maxAttempts: bounded
    expect(sts.calls.length).toBe(calls);
  });

  it('refuses a SAML subject token on /token the same way', async () => {
    const calls = sts.calls.length;
    const result = await exchange(await samlResponse(), SAML2_TYPE);
    expectUnavailable(result);
    expect(jsonOf(result).code).toBe('REPLAY_STORE_UNAVAILABLE');
    expect(sts.calls.length).toBe(calls);
  });

  it('answers the SAML ACS with a 503 page and no role-picker ticket', async () => {
    const result = await postAcs(await samlResponse());
    expectUnavailable(result);
    expect(errorCodeOf(result.body)).toBe('REPLAY_STORE_UNAVAILABLE');
  });

  it('refuses a role-picker ticket on /session without calling STS', async () => {
    await store.setMode('forward');
    const { ticket, jar } = await pickerTicket();
    await store.setMode(mode, canned);
    const calls = sts.calls.length;
    const result = await postSession(ticket, jar);
    expectUnavailable(result);
    expect(errorCodeOf(result.body)).toBe('REPLAY_STORE_UNAVAILABLE');
    expect(sts.calls.length).toBe(calls);
  });

  it('still serves a provider without single use (it never needs the store)', async () => {
    const result = await exchange(oidc.mint({ claims: { aud: 'plain-client' } }));
    expect(result.statusCode).toBe(200);
  });
});

describe('with the replay store hanging', () => {
  // @smithy/node-http-handler only warns about requestTimeout unless throwOnRequestTimeout is set (shared/compose/aws.ts
  // sets it): without it the call would hang until the function times out and middy would answer 500.
  it('gives up after the client timeouts (2 attempts) with 503 REPLAY_STORE_UNAVAILABLE', async () => {
    await store.setMode('hang');
    const attempts = store.requests();
    const result = await exchange(oidc.mint({ claims: { aud: 'once-client' } }));
    expectUnavailable(result);
    expect(jsonOf(result).code).toBe('REPLAY_STORE_UNAVAILABLE');
    expect(store.requests() - attempts).toBe(2);
  });
});

describe('after the replay store recovers', () => {
  it('accepts what was refused while it was down (nothing was recorded), and then only once', async () => {
    const response = await samlResponse();
    const { ticket, jar } = await pickerTicket();
    const idToken = oidc.mint({ claims: { aud: 'once-client' } });
    await store.setMode('reset');
    expectUnavailable(await postAcs(response));
    expectUnavailable(await postSession(ticket, jar));
    expectUnavailable(await exchange(idToken));
    await store.setMode('forward');
    expect((await postAcs(response)).statusCode).toBe(200);
    expect((await postSession(ticket, jar)).statusCode).toBe(200);
    expect((await exchange(idToken)).statusCode).toBe(200);
    expect(errorCodeOf((await postAcs(response)).body)).toBe('REPLAY_DETECTED');
    expect(jsonOf(await exchange(idToken)).code).toBe('REPLAY_DETECTED');
  });
});

describe('audit', () => {
  it('records each refused exchange as an error with code REPLAY_STORE_UNAVAILABLE (what the alarm counts)', () => {
    const records = auditRecords(capture.lines()).filter((r) => r.code === 'REPLAY_STORE_UNAVAILABLE');
    expect(records.length).toBeGreaterThanOrEqual(failures.length * 2);
    for (const record of records) expect(record).toMatchObject({ decision: 'error', route: '/token' });
    expect(records.some((r) => r.accessKeyId !== undefined)).toBe(false);
  });
});
