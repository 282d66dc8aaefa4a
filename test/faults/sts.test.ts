// STS throttling bursts, errors, resets and hangs, and the console federation endpoint down, through the exported
// POST /token and POST /session handlers: the offline STS emulator on 127.0.0.1 (failNext injects STS error codes)
// behind a proxy that can reset, hang or answer 500. Bounded retries are asserted by counting attempts, not time.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../shared/issuance/retry.ts';
import type { BootedBroker } from '../../tools/local/boot.ts';
import { startConsoleEmulator, type ConsoleEmulator } from '../../tools/local/console-emulator.ts';
import type { StsEmulator } from '../../tools/local/sts-emulator.ts';
import { auditRecords, captureOutput, type Capture } from '../support/capture.ts';
import { ACS_URL, ALICE, createTestIdp, encode, SP_ENTITY_ID, type TestIdp } from '../support/saml-idp.ts';
import {
  apiEvent, bootFaultBroker, CookieJar, errorCodeOf, faultConfig, formField, jsonOf, lambdaContext, READONLY_ARN, tokenBody,
  type Handler, type HandlerResult,
} from './support/broker.ts';
import { startFlakyIdp, startSwitchableProxy, stsError, type FlakyIdp, type SwitchableProxy } from './support/peers.ts';

let broker: BootedBroker | undefined;
let emulator: StsEmulator;
let sts: SwitchableProxy;
let consoleEmulator: ConsoleEmulator | undefined;
let federation: SwitchableProxy;
let oidc: FlakyIdp;
let saml: TestIdp;
let capture: Capture;
let token: Handler;
let acs: Handler;
let session: Handler;

beforeAll(async () => {
  capture = captureOutput();
  consoleEmulator = await startConsoleEmulator();
  federation = await startSwitchableProxy(consoleEmulator.origin);
  oidc = await startFlakyIdp({ audience: 'sts-faults' });
  saml = await createTestIdp();
  const config = faultConfig({
    oidc: { idp: { issuer: oidc.issuer, audience: 'sts-faults' } },
    samlMetadataFile: 'idp.xml',
    sealingSecretRef: 'env:FAULTS_SEALING_SECRET',
    signinUrl: `${federation.url}/federation`,
  });
  // The offline STS behind a proxy that can reset, hang or answer 500.
  broker = await bootFaultBroker({
    config: { document: config, files: { 'idp.xml': saml.metadataXml } },
    replayTable: 'replay-sts-faults',
    front: { sts: async (endpoint) => (sts = await startSwitchableProxy(endpoint)) },
    sealing: true,
  });
  emulator = broker.stsEmulator!;
  [token, acs, session] = await Promise.all([broker.handler('token'), broker.handler('saml'), broker.handler('session')]);
});

afterAll(async () => {
  capture?.restore();
  await broker?.stop();
  await federation?.close();
  await consoleEmulator?.stop();
  await oidc?.close();
});

beforeEach(async () => {
  await sts.setMode('forward');
  await federation.setMode('forward');
});

const exchange = (): Promise<HandlerResult> => token(apiEvent('POST', '/token', { body: tokenBody(oidc.mint()) }), lambdaContext);

const expectUnavailable = (result: HandlerResult, code = 'STS_UNAVAILABLE'): void => {
  expect(result.statusCode).toBe(503);
  expect(result.headers['retry-after']).toMatch(/^\d+$/);
  expect(result.body).not.toMatch(/AccessKeyId|AWS_ACCESS_KEY_ID/);
  expect(result.headers.location).toBeUndefined();
  if (result.headers['content-type']?.startsWith('application/json')) expect(jsonOf(result)).toMatchObject({ error: 'temporarily_unavailable', code });
  else expect(errorCodeOf(result.body)).toBe(code);
};

describe('STS error answers (failNext)', () => {
  it.each([
    ['a burst of 1 Throttling', 'Throttling', 1, 200, undefined, 2],
    ['a burst of 3 Throttling (the last attempt succeeds)', 'Throttling', 3, 200, undefined, 4],
    ['Throttling on every attempt', 'Throttling', DEFAULT_RETRY.maxAttempts, 503, 'STS_UNAVAILABLE', DEFAULT_RETRY.maxAttempts],
    ['ServiceUnavailable on every attempt', 'ServiceUnavailable', DEFAULT_RETRY.maxAttempts, 503, 'STS_UNAVAILABLE', DEFAULT_RETRY.maxAttempts],
    ['AccessDenied (a refusal: never retried)', 'AccessDenied', 1, 400, 'STS_REJECTED', 1],
    ['RegionDisabledException (a refusal)', 'RegionDisabledException', 1, 400, 'STS_REJECTED', 1],
  ] as const)('%s: %s ×%i → HTTP %i', async (_name, code, count, status, errorCode, calls) => {
    emulator.failNext(code, count);
    const before = emulator.calls.length;
    const result = await exchange();
    expect(result.statusCode).toBe(status);
    expect(emulator.calls.length - before).toBe(calls);
    if (status === 503) expectUnavailable(result);
    if (errorCode === 'STS_REJECTED') {
      expect(jsonOf(result)).toMatchObject({ error: 'invalid_target', code: 'STS_REJECTED' });
      expect(jsonOf(result).error_description).toContain(READONLY_ARN);
      expect(jsonOf(result).error_description).toContain(code);
    }
  });

  it('absorbs a throttling burst spread over 10 concurrent exchanges: all granted, each within its attempt bound', async () => {
    emulator.failNext('Throttling', 10);
    const before = emulator.calls.length;
    const results = await Promise.all(Array.from({ length: 10 }, () => exchange()));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(emulator.calls.length - before).toBe(20);
  });
});

describe('STS unreachable', () => {
  it('answers 503 STS_UNAVAILABLE after maxAttempts when every connection is reset', async () => {
    await sts.setMode('reset');
    const before = sts.requests();
    expectUnavailable(await exchange());
    expect(sts.requests() - before).toBe(DEFAULT_RETRY.maxAttempts);
  });

  it('answers 503 STS_UNAVAILABLE after maxAttempts when STS answers HTTP 500 InternalFailure', async () => {
    await sts.setMode('respond', stsError(500, 'InternalFailure'));
    const before = sts.requests();
    expectUnavailable(await exchange());
    expect(sts.requests() - before).toBe(DEFAULT_RETRY.maxAttempts);
  });

  // Each attempt is abandoned after the 3 s request timeout (throwOnRequestTimeout, shared/compose/aws.ts); the 5 s
  // retry budget allows a second one, then 503 STS_UNAVAILABLE with Retry-After.
  it('abandons a hanging STS after the request timeout and the retry budget: 2 attempts, then 503 STS_UNAVAILABLE', async () => {
    await sts.setMode('hang');
    const before = sts.requests();
    const result = await exchange();
    expect(result.body).not.toContain('AccessKeyId');
    expectUnavailable(result);
    expect(sts.requests() - before).toBe(2);
  });
});

describe('POST /session (the role picker) with STS or the federation endpoint failing', () => {
  const picker = async (): Promise<{ ticket: string; jar: CookieJar }> => {
    const jar = new CookieJar();
    const xml = await saml.loginResponseXml({ now: new Date(), user: ALICE, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL });
    const page = await acs(apiEvent('POST', '/saml/acs', { body: new URLSearchParams({ SAMLResponse: encode(xml) }).toString() }), lambdaContext);
    expect(page.statusCode).toBe(200);
    jar.store(page);
    return { ticket: formField(page.body, 'ticket') ?? '', jar };
  };
  const choose = (ticket: string, jar: CookieJar, target: 'cli' | 'console'): Promise<HandlerResult> =>
    session(apiEvent('POST', '/session', { body: new URLSearchParams({ ticket, role: 'readonly', target }).toString(), cookies: jar.header() }), lambdaContext);

  it('opens the console through the federation endpoint when all is up (baseline)', async () => {
    const { ticket, jar } = await picker();
    const result = await choose(ticket, jar, 'console');
    expect(result.statusCode).toBe(302);
    expect(new URL(result.headers.location ?? '').searchParams.get('Action')).toBe('login');
  });

  it('answers a 503 STS_UNAVAILABLE page, with no redirect, when the federation endpoint is down', async () => {
    const { ticket, jar } = await picker();
    await federation.setMode('reset');
    expectUnavailable(await choose(ticket, jar, 'console'));
  });

  it('answers a 503 STS_UNAVAILABLE page when STS throttles beyond the retry bound', async () => {
    const { ticket, jar } = await picker();
    emulator.failNext('Throttling', DEFAULT_RETRY.maxAttempts);
    expectUnavailable(await choose(ticket, jar, 'cli'));
  });
});

describe('audit', () => {
  it('records STS failures as errors with STS_UNAVAILABLE and refusals as denials with STS_REJECTED', () => {
    const records = auditRecords(capture.lines()).filter((r) => r.route === '/token');
    expect(records.filter((r) => r.code === 'STS_UNAVAILABLE').every((r) => r.decision === 'error')).toBe(true);
    expect(records.filter((r) => r.code === 'STS_UNAVAILABLE').length).toBeGreaterThanOrEqual(4);
    expect(records.filter((r) => r.code === 'STS_REJECTED').every((r) => r.decision === 'deny')).toBe(true);
    expect(records.filter((r) => r.code === 'STS_REJECTED')).toHaveLength(2);
  });
});
