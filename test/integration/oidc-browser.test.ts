// OIDC browser sign-in end to end against the local stack (oidc-provider as the IdP, dynalite, offline STS, the
// console federation emulator), driven over real HTTP: login → IdP → callback → picker → /session.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../tools/local/stack.ts';
import { errorCodeOf, formField, MiniBrowser, radioValues } from '../support/browser.ts';

let stack: LocalStack;
const alice = { username: 'alice', password: 'alice-dev-password' };
const bob = { username: 'bob', password: 'bob-dev-password' };

beforeAll(async () => {
  delete process.env.BROKER_CONFIG;
  delete process.env.AWS_ENDPOINT_URL_STS;
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  stack = await startLocalStack({ port: 0, host: '127.0.0.1', env: process.env });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const signIn = async (user = alice, query = '') => {
  const browser = new MiniBrowser();
  const page = await browser.navigate(`${stack.url}/oidc/login?provider=dev-oidc${query}`, user);
  return { browser, page };
};

const choose = (browser: MiniBrowser, picker: string, role: string, target: 'cli' | 'console', extra: Record<string, string> = {}) =>
  browser.post(`${stack.url}/session`, new URLSearchParams({ ticket: formField(picker, 'ticket') ?? '', role, duration: '1800', target, ...extra }));

describe('OIDC browser sign-in', () => {
  it('shows alice the role picker with both granted roles, safely', async () => {
    const { page } = await signIn();
    expect(page.status).toBe(200);
    expect(radioValues(page.body, 'role')).toEqual(expect.arrayContaining(['dev-readonly', 'dev-poweruser']));
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('gives CLI credentials on a no-store page', async () => {
    const { browser, page } = await signIn();
    const result = await choose(browser, page.body, 'dev-readonly', 'cli');
    expect(result.status).toBe(200);
    expect(result.body).toMatch(/export AWS_ACCESS_KEY_ID=ASIA/);
    expect(result.body).toContain('aws_session_token = FAKE-LOCAL-SESSION-TOKEN-');
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(stack.sts?.calls.at(-1)).toMatchObject({ action: 'AssumeRole', roleSessionName: 'alice@example.com', durationSeconds: 1800 });
  });

  it('opens the console through the federation endpoint', async () => {
    const { browser, page } = await signIn();
    const result = await choose(browser, page.body, 'dev-readonly', 'console');
    expect(result.status).toBe(302);
    const location = new URL(result.headers.get('location') ?? '');
    expect(location.pathname).toBe('/__local/federation');
    expect(location.searchParams.get('Action')).toBe('login');
    expect(location.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/');
    expect(location.searchParams.get('SigninToken')).toMatch(/^FAKE-LOCAL-SIGNIN-TOKEN-/);
  });

  it('goes straight on when role and target were given at login', async () => {
    const { page } = await signIn(alice, '&role=dev-readonly&target=cli');
    expect(page.body).toMatch(/export AWS_ACCESS_KEY_ID=ASIA/);
  });

  it('shows bob a 403 page with the code and request id', async () => {
    const { page } = await signIn(bob);
    expect(page.status).toBe(403);
    expect(errorCodeOf(page.body)).toBe('NO_ROLE_GRANTED');
    expect(page.body).toContain('Request id');
  });
});

describe('OIDC browser sign-in: attacks', () => {
  it('refuses a ticket used twice', async () => {
    const { browser, page } = await signIn();
    expect((await choose(browser, page.body, 'dev-readonly', 'cli')).status).toBe(200);
    const again = await choose(browser, page.body, 'dev-readonly', 'cli');
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(['TICKET_INVALID', 'REPLAY_DETECTED']).toContain(errorCodeOf(again.body));
  });

  it('refuses a ticket presented by another browser', async () => {
    const { page } = await signIn();
    const thief = new MiniBrowser();
    const result = await choose(thief, page.body, 'dev-readonly', 'cli');
    expect(errorCodeOf(result.body)).toBe('TICKET_INVALID');
    expect(result.body).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('refuses a tampered ticket', async () => {
    const { browser, page } = await signIn();
    const ticket = formField(page.body, 'ticket') ?? '';
    const tampered = `${ticket.slice(0, 20)}${ticket[20] === 'A' ? 'B' : 'A'}${ticket.slice(21)}`;
    const result = await browser.post(`${stack.url}/session`, new URLSearchParams({ ticket: tampered, role: 'dev-readonly', target: 'cli' }));
    expect(errorCodeOf(result.body)).toBe('TICKET_INVALID');
  });

  it('refuses a role the ticket does not grant', async () => {
    const { browser, page } = await signIn();
    const result = await choose(browser, page.body, 'no-such-role', 'cli');
    expect(errorCodeOf(result.body)).toBe('ROLE_NOT_GRANTED');
  });

  const toCallback = async () => {
    const browser = new MiniBrowser();
    const callback = await browser.navigate(`${stack.url}/oidc/login?provider=dev-oidc`, alice, (url) => url.pathname === '/oidc/callback');
    return { browser, callback: callback.url };
  };

  it('refuses a tampered state', async () => {
    const { browser, callback } = await toCallback();
    callback.searchParams.set('state', 'forged-state');
    expect(errorCodeOf((await browser.request(callback)).body)).toBe('FLOW_INVALID');
  });

  it('refuses a callback in a browser that did not start the flow (login CSRF)', async () => {
    const { callback } = await toCallback();
    expect(errorCodeOf((await new MiniBrowser().request(callback)).body)).toBe('FLOW_INVALID');
  });

  it('refuses a callback naming another issuer (mix-up)', async () => {
    const { browser, callback } = await toCallback();
    callback.searchParams.set('iss', 'https://evil.example.com');
    expect(errorCodeOf((await browser.request(callback)).body)).toBe('ISSUER_MISMATCH');
  });

  it('refuses a replayed callback (code replay)', async () => {
    const { browser, callback } = await toCallback();
    expect((await browser.request(callback)).status).toBe(200);
    const replay = await browser.request(callback);
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.body).not.toContain('name="ticket"');
  });

  it('refuses a tampered PKCE verifier (flow cookie altered)', async () => {
    const { browser, callback } = await toCallback();
    const cookie = browser.jar.header(new URL(stack.url));
    const flow = /fb_oidc=([^;]+)/.exec(cookie)?.[1] ?? '';
    const altered = `${flow.slice(0, 30)}${flow[30] === 'x' ? 'y' : 'x'}${flow.slice(31)}`;
    const result = await fetch(callback, { headers: { cookie: `fb_oidc=${altered}` }, redirect: 'manual' });
    expect(errorCodeOf(await result.text())).toBe('FLOW_INVALID');
  });

  it.each([
    ['target as a URL', '&target=https://evil.example.com/'],
    ['destination off AWS', '&destination=https://evil.example.com/'],
    ['destination on a look-alike host', '&destination=https://console.aws.amazon.com.evil.example/'],
    ['destination over http', '&destination=http://console.aws.amazon.com/'],
  ])('refuses an open redirect through %s', async (_name, query) => {
    const page = await new MiniBrowser().request(`${stack.url}/oidc/login?provider=dev-oidc${query}`);
    expect(page.status).toBe(400);
    expect(errorCodeOf(page.body)).toBe('DESTINATION_NOT_ALLOWED');
    expect(page.headers.get('location')).toBeNull();
  });

  it('refuses an open redirect through the picker form', async () => {
    const { browser, page } = await signIn();
    const result = await choose(browser, page.body, 'dev-readonly', 'console', { destination: 'https://evil.example.com/' });
    expect(errorCodeOf(result.body)).toBe('DESTINATION_NOT_ALLOWED');
  });

  it('accepts a console deep link as destination', async () => {
    const { browser, page } = await signIn(alice, '&destination=https://us-east-1.console.aws.amazon.com/s3/home');
    const result = await choose(browser, page.body, 'dev-readonly', 'console');
    expect(new URL(result.headers.get('location') ?? '').searchParams.get('Destination')).toBe('https://us-east-1.console.aws.amazon.com/s3/home');
  });
});
