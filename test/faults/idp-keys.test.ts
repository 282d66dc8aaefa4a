// The IdP's discovery document or JWKS unreachable, and the IdP rotating its keys while tokens are in flight, through
// the exported POST /token handler with IdPs on 127.0.0.1 and the offline STS. Each scenario has its own provider
// (and so its own cold key cache). Only Date is faked, to step over the JWKS cooldown (60 s), the cache age
// (10 min) and Retry-After (5 s); tokens are minted at the same (fake) instant.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BootedBroker } from '../../tools/local/boot.ts';
import type { StsEmulator } from '../../tools/local/sts-emulator.ts';
import { captureOutput, type Capture } from '../support/capture.ts';
import { createTestKey } from '../support/oidc.ts';
import { apiEvent, bootFaultBroker, faultConfig, jsonOf, lambdaContext, tokenBody, type Handler, type HandlerResult } from './support/broker.ts';
import { startFlakyIdp, startSwitchableProxy, type FlakyIdp, type SwitchableProxy } from './support/peers.ts';

const SCENARIOS = ['warm', 'unknown', 'rotate', 'coldDiscovery', 'coldJwks', 'coldReset', 'coldHang'] as const;
type Scenario = (typeof SCENARIOS)[number];

let broker: BootedBroker | undefined;
let sts: StsEmulator;
let noStore: SwitchableProxy;
let capture: Capture;
let token: Handler;
const idps = {} as Record<Scenario, FlakyIdp>;

const advance = (ms: number): void => {
  vi.setSystemTime(Date.now() + ms);
};

beforeAll(async () => {
  capture = captureOutput();
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  noStore = await startSwitchableProxy(); // resets every connection: none of these providers may need the store
  for (const scenario of SCENARIOS) idps[scenario] = await startFlakyIdp({ audience: `aud-${scenario}` });
  const oidc = Object.fromEntries(SCENARIOS.map((s) => [s, { issuer: idps[s].issuer, audience: `aud-${s}` }]));
  broker = await bootFaultBroker({ config: { document: faultConfig({ oidc }) }, replayTable: 'unused', dynamo: { endpoint: noStore.url } });
  sts = broker.stsEmulator!;
  token = await broker.handler('token');
});

afterAll(async () => {
  vi.useRealTimers();
  capture?.restore();
  await broker?.stop();
  for (const idp of Object.values(idps)) await idp.close();
  await noStore?.close();
});

const exchange = (subjectToken: string): Promise<HandlerResult> => token(apiEvent('POST', '/token', { body: tokenBody(subjectToken) }), lambdaContext);

const expectGranted = (result: HandlerResult): void => {
  expect(result.statusCode, result.body).toBe(200);
  expect(jsonOf(result).AccessKeyId).toMatch(/^ASIA/);
};

const expectRefused = (result: HandlerResult, status: number, code: string): void => {
  expect(result.statusCode).toBe(status);
  expect(jsonOf(result).code).toBe(code);
  expect(result.body).not.toContain('AccessKeyId');
  if (status === 503) expect(result.headers['retry-after']).toMatch(/^\d+$/);
};

const documents = (idp: FlakyIdp): number => idp.fetches.discovery + idp.fetches.jwks;

describe('a cold verifier with the IdP down', () => {
  it.each([
    ['discovery answers 503', 'coldDiscovery', (idp: FlakyIdp): void => void (idp.discovery = 'down')],
    ['the JWKS answers 503', 'coldJwks', (idp: FlakyIdp): void => void (idp.jwks = 'down')],
    ['connections are reset', 'coldReset', (idp: FlakyIdp): void => void (idp.discovery = 'reset')],
    ['discovery hangs (abandoned after the 3 s timeout)', 'coldHang', (idp: FlakyIdp): void => void (idp.discovery = 'hang')],
  ] as const)('answers 503 IDP_UNAVAILABLE when %s, and calls STS not at all', async (_name, scenario, breakIt) => {
    const idp = idps[scenario];
    breakIt(idp);
    const calls = sts.calls.length;
    expectRefused(await exchange(idp.mint()), 503, 'IDP_UNAVAILABLE');
    expect(sts.calls.length).toBe(calls);
  });

  it('does not hammer a down IdP: within Retry-After the next token fails at once, without a fetch', async () => {
    const idp = idps.coldDiscovery;
    const before = documents(idp);
    expectRefused(await exchange(idp.mint()), 503, 'IDP_UNAVAILABLE');
    expectRefused(await exchange(idp.mint()), 503, 'IDP_UNAVAILABLE');
    expect(documents(idp)).toBe(before);
  });

  it('recovers once the IdP is back and Retry-After has passed', async () => {
    const idp = idps.coldDiscovery;
    idp.discovery = 'up';
    advance(6_000);
    expectGranted(await exchange(idp.mint()));
  });
});

describe('a warm verifier with the IdP going down', () => {
  it('keeps accepting tokens signed by a cached key, without fetching', async () => {
    const idp = idps.warm;
    expectGranted(await exchange(idp.mint()));
    idp.discovery = 'down';
    idp.jwks = 'down';
    const before = documents(idp);
    expectGranted(await exchange(idp.mint()));
    expect(documents(idp)).toBe(before);
  });

  it('keeps the cached keys past their age when the refresh fails (one attempt, then none within Retry-After)', async () => {
    const idp = idps.warm;
    advance(11 * 60_000);
    const before = idp.fetches.jwks;
    expectGranted(await exchange(idp.mint()));
    expect(idp.fetches.jwks).toBe(before + 1);
    expectGranted(await exchange(idp.mint()));
    expect(idp.fetches.jwks).toBe(before + 1);
  });

  it('refuses an unknown key with IDP_UNAVAILABLE when the refetch fails, then UNKNOWN_KEY during the cooldown', async () => {
    const idp = idps.unknown;
    expectGranted(await exchange(idp.mint()));
    idp.jwks = 'down';
    advance(61_000);
    const before = idp.fetches.jwks;
    expectRefused(await exchange(idp.mint({ key: createTestKey('new-key-1') })), 503, 'IDP_UNAVAILABLE');
    expect(idp.fetches.jwks).toBe(before + 1);
    expectRefused(await exchange(idp.mint({ key: createTestKey('new-key-2') })), 400, 'UNKNOWN_KEY');
    expect(idp.fetches.jwks).toBe(before + 1);
    expectGranted(await exchange(idp.mint()));
  });

  it('refuses a key id that cannot be a real one (UNKNOWN_KEY) without any fetch', async () => {
    const idp = idps.unknown;
    advance(61_000);
    const before = documents(idp);
    expectRefused(await exchange(idp.mint({ key: createTestKey(), kid: `${'x'.repeat(129)}` })), 400, 'UNKNOWN_KEY');
    expectRefused(await exchange(idp.mint({ key: createTestKey(), kid: 'not a kid <script>' })), 400, 'UNKNOWN_KEY');
    expect(documents(idp)).toBe(before);
  });
});

describe('IdP key rotation mid-flight', () => {
  const idp = (): FlakyIdp => idps.rotate;
  const oldKey = () => idp().signingKey;
  let newKey: ReturnType<typeof createTestKey>;

  it('accepts tokens of a newly published key after exactly one refetch', async () => {
    const old = oldKey();
    expectGranted(await exchange(idp().mint({ key: old })));
    newKey = createTestKey('rotated-key');
    idp().serveKeys([old, newKey]);
    advance(2 * 60_000); // a rotation comes later than the first fetch: past the refetch cooldown
    const before = idp().fetches.jwks;
    expectGranted(await exchange(idp().mint({ key: newKey })));
    expect(idp().fetches.jwks).toBe(before + 1);
    expectGranted(await exchange(idp().mint({ key: newKey })));
    expectGranted(await exchange(idp().mint({ key: old })));
    expect(idp().fetches.jwks).toBe(before + 1);
  });

  it('keeps accepting the removed old key while the cache is fresh, and refuses it after the cache age', async () => {
    const old = oldKey();
    idp().serveKeys([newKey]);
    const before = idp().fetches.jwks;
    expectGranted(await exchange(idp().mint({ key: old })));
    expect(idp().fetches.jwks).toBe(before);
    advance(10 * 60_000 + 1_000);
    expectRefused(await exchange(idp().mint({ key: old })), 400, 'UNKNOWN_KEY');
    expect(idp().fetches.jwks).toBe(before + 1);
    expectGranted(await exchange(idp().mint({ key: newKey })));
  });
});
