// No secret in any log line, error body or redirect URL, across a mixed run of grants, refusals and failures
// against the whole local stack in this process (dev OIDC and SAML IdPs, the console federation emulator), with
// DynamoDB (dynalite) and the offline STS behind proxies that can fail. Everything the process writes to stdout and
// stderr, or prints through console, is captured. Every secret that passes by is collected — subject tokens, SAML responses, credentials,
// tickets, cookie values, authorization codes, the federation SigninToken, the sealing secret, the signing key, the
// broker's own web-identity tokens — and none may appear in a log line, an error body or a Location URL. The one
// exception is the SigninToken in the console redirect's Location, which AWS defines that way (docs/security.md).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayTable, startDynalite, type LocalDynamo } from '../../tools/local/dynamo.ts';
import { signInWithPassword } from '../../tools/local/oidc-sign-in.ts';
import { startLocalStack, LOCAL_CLIENT_ID, type LocalStack } from '../../tools/local/stack.ts';
import { brokerTokenVerifier, startStsEmulator, type StsEmulator } from '../../tools/local/sts-emulator.ts';
import { errorCodeOf, formField, MiniBrowser, type Page } from '../support/browser.ts';
import type { Capture } from '../support/capture.ts';
import { captureEverything } from './support/capture-all.ts';
import { GRANT_TYPE, ID_TOKEN_TYPE, SAML2_TYPE } from './support/broker.ts';
import { startSwitchableProxy, type SwitchableProxy } from './support/peers.ts';

const ALICE = { username: 'alice', password: 'alice-dev-password' };
const BOB = { username: 'bob', password: 'bob-dev-password' };

let capture: Capture;
let dynamo: LocalDynamo;
let store: SwitchableProxy;
let emulator: StsEmulator;
let sts: SwitchableProxy;
let stack: LocalStack;
let samlIdpOrigin: string;
let verifyWebIdentity: ((token: string) => Promise<Record<string, unknown>>) | undefined;
const saved = { ...process.env };

/** Everything secret that passed by, with where it came from (for the failure message). */
const secrets = new Map<string, string>();
const keep = (what: string, value: string | undefined | null): void => {
  if (value && value.length >= 8) secrets.set(value, what);
};
/** Responses of the broker itself (not of the IdPs or the federation emulator). */
const observed: Page[] = [];

class RecordingBrowser extends MiniBrowser {
  override async request(url: URL | string, init: RequestInit = {}): Promise<Page> {
    const page = await super.request(url, init);
    if (page.url.origin === new URL(stack.url).origin && !page.url.pathname.startsWith('/__local/')) {
      observed.push(page);
      for (const setCookie of page.headers.getSetCookie()) keep('cookie value', /^[^=]+=([^;]*)/.exec(setCookie)?.[1]);
      keep('ticket', formField(page.body, 'ticket'));
      for (const m of page.body.matchAll(/(?:aws_secret_access_key|aws_session_token) = (\S+)/g)) keep('credentials (page)', m[1]);
      const location = page.headers.get('location');
      if (location) keep('SigninToken', new URL(location, page.url).searchParams.get('SigninToken'));
    }
    return page;
  }
}

const postToken = async (params: Record<string, string>): Promise<Page> => {
  keep('subject token', params.subject_token);
  const page = await new RecordingBrowser().post(`${stack.url}/token`, new URLSearchParams({ grant_type: GRANT_TYPE, ...params }));
  if (page.status === 200) {
    const body = JSON.parse(page.body) as { SecretAccessKey?: string; SessionToken?: string };
    keep('SecretAccessKey', body.SecretAccessKey);
    keep('SessionToken', body.SessionToken);
  }
  return page;
};

const idToken = async (user = ALICE): Promise<string> =>
  (await signInWithPassword({ issuer: stack.idp?.issuer ?? '', clientId: LOCAL_CLIENT_ID, redirectUri: `${stack.url}/oidc/callback`, ...user, scope: 'openid email profile groups' })).idToken;

/** The dev SAML IdP's IdP-initiated form for a user: the signed SAMLResponse, not yet posted. */
const samlResponse = async (user: string): Promise<string> => {
  const page = await new MiniBrowser().request(`${samlIdpOrigin}/idp/start?user=${user}`);
  const value = formField(page.body, 'SAMLResponse') ?? '';
  keep('SAMLResponse', value);
  return value;
};

const postAcs = (browser: MiniBrowser, response: string): Promise<Page> => browser.post(`${stack.url}/saml/acs`, new URLSearchParams({ SAMLResponse: response }));

const chooseRole = (browser: MiniBrowser, picker: Page, target: 'cli' | 'console', role = 'dev-readonly'): Promise<Page> =>
  browser.post(`${stack.url}/session`, new URLSearchParams({ ticket: formField(picker.body, 'ticket') ?? '', role, target, duration: '900' }));

beforeAll(async () => {
  capture = captureEverything();
  dynamo = await startDynalite();
  store = await startSwitchableProxy(dynamo.endpoint);
  emulator = await startStsEmulator({ verifyWebIdentity: (token) => (verifyWebIdentity ? verifyWebIdentity(token) : Promise.reject(new Error('not ready'))) });
  sts = await startSwitchableProxy(emulator.url);
  for (const key of ['BROKER_CONFIG', 'BROKER_SEALING_SECRET', 'BROKER_DEV_SIGNING_KEY', 'REPLAY_TABLE']) delete process.env[key];
  process.env.AWS_ENDPOINT_URL_DYNAMODB = store.url;
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
  process.env.REPLAY_TABLE = 'replay-no-secrets';
  await createReplayTable(dynamo.endpoint, 'replay-no-secrets');
  stack = await startLocalStack({ port: 0, host: '127.0.0.1', env: process.env });
  verifyWebIdentity = brokerTokenVerifier({ jwksUrl: `${stack.url}/.well-known/jwks.json`, issuer: stack.url, audience: 'sts.amazonaws.com' });
  samlIdpOrigin = new URL(stack.samlIdp?.ssoUrl ?? '').origin;
  keep('sealing secret', process.env.BROKER_SEALING_SECRET);
  for (const line of (process.env.BROKER_DEV_SIGNING_KEY ?? '').split('\n')) if (!line.startsWith('-----')) keep('signing key', line);
}, 60_000);

afterAll(async () => {
  capture?.restore();
  await stack?.stop();
  await sts?.close();
  await store?.close();
  await emulator?.stop();
  await dynamo?.stop();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('a mixed run', () => {
  it('grants: ID tokens for assume-role and web-identity roles, a SAML subject token', async () => {
    const token = await idToken();
    expect((await postToken({ subject_token: token, subject_token_type: ID_TOKEN_TYPE, audience: 'dev-readonly' })).status).toBe(200);
    expect((await postToken({ subject_token: token, subject_token_type: ID_TOKEN_TYPE, audience: 'dev-longsession', duration_seconds: '43200' })).status).toBe(200);
    expect((await postToken({ subject_token: await samlResponse('alice'), subject_token_type: SAML2_TYPE, audience: 'dev-readonly' })).status).toBe(200);
    for (const call of emulator.calls) keep('broker web-identity token', call.webIdentityToken);
  });

  it('refusals on /token: tampered, foreign, replayed and ungranted subject tokens', async () => {
    const token = await idToken();
    const tampered = `${token.slice(0, -6)}${token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    const refusals = await Promise.all([
      postToken({ subject_token: tampered, subject_token_type: ID_TOKEN_TYPE, audience: 'dev-readonly' }),
      postToken({ subject_token: await idToken(BOB), subject_token_type: ID_TOKEN_TYPE, audience: 'dev-readonly' }),
      postToken({ subject_token: `${token}x`, subject_token_type: ID_TOKEN_TYPE }),
    ]);
    for (const page of refusals) expect(page.status).toBe(400);
    const saml = await samlResponse('alice');
    expect((await postToken({ subject_token: saml, subject_token_type: SAML2_TYPE, audience: 'dev-readonly' })).status).toBe(200);
    expect(JSON.parse((await postToken({ subject_token: saml, subject_token_type: SAML2_TYPE, audience: 'dev-readonly' })).body).code).toBe('REPLAY_DETECTED');
  });

  it('OIDC browser sign-in: code, picker, CLI credentials; then a replayed ticket, a replayed callback and a forged state', async () => {
    const browser = new RecordingBrowser();
    const callback = (await browser.navigate(`${stack.url}/oidc/login?provider=dev-oidc`, ALICE, (url) => url.pathname === '/oidc/callback')).url;
    keep('authorization code', callback.searchParams.get('code'));
    const picker = await browser.request(callback);
    expect(picker.status).toBe(200);
    expect((await chooseRole(browser, picker, 'cli')).body).toContain('AWS_SECRET_ACCESS_KEY');
    expect((await chooseRole(browser, picker, 'cli')).status).toBeGreaterThanOrEqual(400);
    expect((await browser.request(callback)).status).toBeGreaterThanOrEqual(400);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    expect(errorCodeOf((await browser.request(forged)).body)).toBe('FLOW_INVALID');
    const straight = await new RecordingBrowser().navigate(`${stack.url}/oidc/login?provider=dev-oidc&role=dev-readonly&target=console`, ALICE, (url) => url.pathname === '/__local/federation');
    expect(straight.url.searchParams.get('Action')).toBe('login');
  });

  it('SAML browser sign-in: console redirect; then a replayed response, a stolen ticket and a user with no role', async () => {
    const browser = new RecordingBrowser();
    const response = await samlResponse('alice');
    const picker = await postAcs(browser, response);
    expect(picker.status).toBe(200);
    const console = await chooseRole(browser, picker, 'console');
    expect(console.status).toBe(302);
    expect(errorCodeOf((await postAcs(new RecordingBrowser(), response)).body)).toBe('REPLAY_DETECTED');
    const other = await postAcs(browser, await samlResponse('alice'));
    expect(errorCodeOf((await chooseRole(new RecordingBrowser(), other, 'cli')).body)).toBe('TICKET_INVALID');
    expect(errorCodeOf((await postAcs(new RecordingBrowser(), await samlResponse('bob'))).body)).toBe('NO_ROLE_GRANTED');
    const spInitiated = new RecordingBrowser();
    const spPicker = await spInitiated.navigate(`${stack.url}/saml/login?provider=dev-saml`);
    expect(spPicker.status).toBe(200);
    expect((await chooseRole(spInitiated, spPicker, 'console')).status).toBe(302);
  });

  it('failures: STS throttled, refusing and unreachable; the replay store down', async () => {
    emulator.failNext('Throttling', 4);
    expect((await postToken({ subject_token: await idToken(), subject_token_type: ID_TOKEN_TYPE, audience: 'dev-readonly' })).status).toBe(503);
    emulator.failNext('AccessDenied', 1);
    expect(JSON.parse((await postToken({ subject_token: await idToken(), subject_token_type: ID_TOKEN_TYPE, audience: 'dev-readonly' })).body).code).toBe('STS_REJECTED');
    const browser = new RecordingBrowser();
    const picker = await postAcs(browser, await samlResponse('alice'));
    await sts.setMode('reset');
    expect((await chooseRole(browser, picker, 'console')).status).toBe(503);
    await sts.setMode('forward');
    const again = await postAcs(browser, await samlResponse('alice'));
    await store.setMode('reset');
    try {
      expect(errorCodeOf((await chooseRole(browser, again, 'cli')).body)).toBe('REPLAY_STORE_UNAVAILABLE');
      expect(errorCodeOf((await postAcs(browser, await samlResponse('alice'))).body)).toBe('REPLAY_STORE_UNAVAILABLE');
    } finally {
      await store.setMode('forward');
    }
  });
});

describe('what the run left behind', () => {
  const leaks = (text: string, allowed: ReadonlySet<string> = new Set()): string[] =>
    [...secrets].filter(([value]) => !allowed.has(value) && text.includes(value)).map(([value, what]) => `${what} (${value.slice(0, 12)}…)`);

  it('collected every kind of secret it checks for', () => {
    const kinds = new Set(secrets.values());
    for (const kind of ['subject token', 'SAMLResponse', 'SecretAccessKey', 'SessionToken', 'credentials (page)', 'ticket', 'cookie value', 'authorization code', 'SigninToken', 'sealing secret', 'signing key', 'broker web-identity token']) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('the checks see a secret where one belongs: the CLI page carries credentials, the console redirect its SigninToken', () => {
    const pages = observed.filter((page) => page.status === 200 && page.body.includes('AWS_SECRET_ACCESS_KEY'));
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((page) => leaks(page.body).some((leak) => leak.startsWith('credentials (page)')))).toBe(true);
    const consoleRedirects = observed.filter((page) => new URL(page.headers.get('location') ?? 'x:/').searchParams.get('Action') === 'login');
    expect(consoleRedirects.length).toBeGreaterThanOrEqual(3);
    for (const page of consoleRedirects) expect(leaks(page.headers.get('location') ?? '')).toEqual([expect.stringMatching(/^SigninToken/)]);
  });

  it('no secret in any log line (stdout and stderr of the whole process)', () => {
    const logs = capture.text();
    expect(capture.lines().length).toBeGreaterThan(20);
    expect(leaks(logs)).toEqual([]);
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/); // no JWT at all
    expect(logs).not.toMatch(/PHNhbWxwOlJlc3BvbnNl|PD94bWw/); // no base64 SAML message
    expect(logs).not.toMatch(/SessionToken|sessionToken|SecretAccessKey|sessionKey|SigninToken=/);
  });

  it('no secret in any error body', () => {
    const errors = observed.filter((page) => page.status >= 400);
    expect(errors.length).toBeGreaterThan(10);
    for (const page of errors) expect(leaks(page.body), `${page.status} ${page.url.pathname}`).toEqual([]);
  });

  it('no secret in any Location URL, except the SigninToken of the console redirect (AWS defines it so)', () => {
    const redirects = observed.flatMap((page) => (page.headers.get('location') ? [new URL(page.headers.get('location') ?? '', page.url)] : []));
    expect(redirects.length).toBeGreaterThanOrEqual(5);
    for (const url of redirects) {
      const signin = url.searchParams.get('Action') === 'login' ? url.searchParams.get('SigninToken') : null;
      expect(leaks(url.href, new Set(signin ? [signin] : [])), url.pathname).toEqual([]);
    }
  });
});
