// CLI sign-in in real headless Chromium against the local stack (as `npm start` runs it), through the OIDC and the
// SAML development IdPs: the loopback flow (a tiny listener on 127.0.0.1 receives the code, as `fbroker login` does)
// and the device flow (the test polls /cli/token while Chromium confirms the code and signs in). Each ends in a
// session that /token, /roles and /cli/console accept, with DPoP proofs by panva's `dpop` client. The CLI pages pass
// axe-core's WCAG 2.1 A/AA rules in light and dark mode, fit a 375 px screen, and their buttons work by keyboard.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accessibilityViolations, hasChromium, screenshot, useBrowserStack } from '../support/chromium.ts';

type Via = 'oidc' | 'saml';
const PROVIDER: Record<Via, string> = { oidc: 'dev-oidc', saml: 'dev-saml' };
const LABEL: Record<Via, RegExp> = { oidc: /Development IdP \(OIDC\)/, saml: /Development IdP \(SAML\)/ };

/** The CLI's loopback listener: answers the browser with a short page, hands the query to the test. */
const startListener = async (): Promise<{ url: string; query: Promise<URLSearchParams>; close: () => Promise<void> }> => {
  let deliver: (q: URLSearchParams) => void = () => undefined;
  const query = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>fbroker</title><h1>Signed in. You can close this window.</h1>');
    deliver(url.searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    url,
    query,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

describe.skipIf(!hasChromium)('CLI sign-in in Chromium (loopback and device, OIDC and SAML)', { timeout: 90_000 }, () => {
  const started = useBrowserStack();

  const post = async (path: string, fields: Record<string, string>, proof?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${started.stack.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(proof === undefined ? {} : { dpop: proof }) },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const proof = (key: KeyPair, path: string, session?: string): Promise<string> => generateProof(key, `${started.stack.url}${path}`, 'POST', undefined, session);

  /** At the IdP in `page`: sign in as alice (the OIDC login form, or the SAML IdP's button). */
  const signInAtIdp = async (page: Page, via: Via): Promise<void> => {
    if (via === 'saml') {
      await page.waitForURL(/idp\/sso/);
      await page.getByRole('button', { name: 'Sign in as alice' }).click();
      return;
    }
    await page.getByLabel(/user ?name/i).fill('alice');
    await page.getByLabel(/password/i).fill('alice-dev-password');
    await page.getByRole('button', { name: /^sign in$/i }).click();
  };

  /** What a session is for: credentials from /token, the roles from /roles, a console URL from /cli/console. */
  const expectSessionAccepted = async (key: KeyPair, session: string): Promise<void> => {
    const token = await post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: session, subject_token_type: 'urn:federation-broker:token-type:session', audience: 'dev-readonly' }, await proof(key, '/token', session));
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/), RoleArn: 'arn:aws:iam::111122223333:role/DevReadOnly' });
    const roles = await post('/roles', { subject_token: session, subject_token_type: 'urn:federation-broker:token-type:session' }, await proof(key, '/roles', session));
    expect(roles.status).toBe(200);
    expect((roles.body.roles as Array<{ id: string }>).map((r) => r.id)).toContain('dev-readonly');
    const consoleUrl = await post('/cli/console', { session, role: 'dev-readonly' }, await proof(key, '/cli/console', session));
    expect(consoleUrl.status).toBe(200);
    expect(String(consoleUrl.body.url)).toMatch(/__local\/federation\?Action=login/);
  };

  const newContext = (options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => started.browser.newContext(options);

  it.each(['oidc', 'saml'] as const)('loopback sign-in through the %s dev IdP ends in a session that /token, /roles and /cli/console accept', async (via) => {
    const listener = await startListener();
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(12).toString('base64url');
      const authorize = new URL('/cli/authorize', started.stack.url);
      authorize.search = new URLSearchParams({ response_type: 'code', client_id: 'fbroker', redirect_uri: listener.url, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state }).toString();
      // No provider named: the person chooses on the broker's page.
      await page.goto(authorize.href);
      await page.getByRole('link', { name: LABEL[via] }).click();
      await signInAtIdp(page, via);
      const query = await listener.query;
      await page.waitForURL(/127\.0\.0\.1:\d+\/callback/);
      await screenshot(page, `20-cli-loopback-${via}-done`);
      expect(query.get('state')).toBe(state);
      expect(query.get('iss')).toBe(started.stack.url);
      const key = await generateKeyPair('ES256');
      const token = await post('/cli/token', { grant_type: 'authorization_code', client_id: 'fbroker', code: query.get('code') ?? '', redirect_uri: listener.url, code_verifier: verifier }, await proof(key, '/cli/token'));
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({ token_type: 'DPoP', session: { provider: PROVIDER[via] } });
      await expectSessionAccepted(key, String(token.body.access_token));
    } finally {
      await ctx.close();
      await listener.close();
    }
  });

  it.each(['oidc', 'saml'] as const)('device sign-in through the %s dev IdP: the CLI polls while the person confirms and signs in', async (via) => {
    const device = await post('/cli/device', { client_id: 'fbroker' });
    expect(device.status).toBe(200);
    const { device_code: deviceCode, user_code: userCode, verification_uri_complete: complete, interval } = device.body as { device_code: string; user_code: string; verification_uri_complete: string; interval: number };
    const key = await generateKeyPair('ES256');
    // The CLI: poll at the interval (growing on slow_down) until the answer is no longer pending.
    const polling = (async () => {
      let wait = interval;
      for (;;) {
        const answer = await post('/cli/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'fbroker', device_code: deviceCode }, await proof(key, '/cli/token'));
        if (answer.body.error === 'slow_down') wait += 5;
        else if (answer.body.error !== 'authorization_pending') return answer;
        await new Promise((r) => setTimeout(r, wait * 1000));
      }
    })();
    const ctx = await newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(complete);
      expect(await page.getByLabel('Code shown by the command').inputValue()).toBe(userCode);
      await screenshot(page, `21-cli-device-${via}`);
      await page.getByRole('button', { name: new RegExp(`Approve and sign in with ${LABEL[via].source}`) }).click();
      await signInAtIdp(page, via);
      await expect.poll(() => page.getByRole('heading', { name: 'You are signed in on the command line' }).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.textContent('main')).toContain(userCode);
      await screenshot(page, `22-cli-device-${via}-approved`);
    } finally {
      await ctx.close();
    }
    const token = await polling;
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'DPoP', session: { provider: PROVIDER[via] } });
    await expectSessionAccepted(key, String(token.body.access_token));
  });

  /** The pages of CLI sign-in, each opened in `page`: the provider choice, the device page, approved, cancelled. */
  const cliPages = async (page: Page, check: (name: string) => Promise<void>): Promise<void> => {
    const authorize = new URL('/cli/authorize', started.stack.url);
    authorize.search = new URLSearchParams({ response_type: 'code', client_id: 'fbroker', redirect_uri: 'http://127.0.0.1:9/callback', code_challenge: createHash('sha256').update('x'.repeat(43)).digest('base64url'), code_challenge_method: 'S256', state: 's' }).toString();
    await page.goto(authorize.href);
    await check('provider choice');
    for (const outcome of ['approved', 'cancelled'] as const) {
      const { verification_uri_complete: complete } = (await post('/cli/device', { client_id: 'fbroker' })).body as { verification_uri_complete: string };
      await page.goto(complete);
      if (outcome === 'approved') await check('device page');
      if (outcome === 'cancelled') {
        await page.getByRole('button', { name: /I did not start this/ }).click();
        await page.getByRole('heading', { name: 'Sign-in cancelled' }).waitFor();
      } else {
        await page.getByRole('button', { name: /Approve and sign in with Development IdP \(OIDC\)/ }).click();
        await signInAtIdp(page, 'oidc');
        await page.getByRole('heading', { name: 'You are signed in on the command line' }).waitFor();
      }
      await check(outcome);
    }
    // A wrong code: the form again, with the reason.
    await page.goto(`${started.stack.url}/cli/device`);
    await page.getByLabel('Code shown by the command').fill('BBBB-BBBB');
    await page.getByRole('button', { name: /Approve and sign in with Development IdP \(OIDC\)/ }).click();
    await page.getByRole('alert').waitFor();
    await check('wrong code');
  };

  it('the CLI pages pass axe-core (WCAG 2.1 A/AA) in light and dark mode', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const ctx = await newContext({ bypassCSP: true, colorScheme });
      const page = await ctx.newPage();
      await cliPages(page, async (name) => {
        expect({ name, colorScheme, violations: await accessibilityViolations(page) }).toEqual({ name, colorScheme, violations: [] });
        if (colorScheme === 'dark') await screenshot(page, `23-cli-${name.replace(/ /g, '-')}-dark`);
      });
      await ctx.close();
    }
  });

  it('the CLI pages fit a 375 px screen', async () => {
    const ctx = await newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await cliPages(page, async (name) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect({ name, overflow }).toEqual({ name, overflow: 0 });
      if (name === 'device page') await screenshot(page, '24-cli-device-phone');
    });
    await ctx.close();
  });

  it('the device page works by keyboard: the code field, then each confirm button, reached by Tab and pressed by Enter', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    const { user_code: userCode } = (await post('/cli/device', { client_id: 'fbroker' })).body as { user_code: string };
    await page.goto(`${started.stack.url}/cli/device`);
    const focused = (): Promise<string> => page.evaluate(() => {
      const el = document.activeElement;
      return el === null ? '' : `${el.tagName.toLowerCase()}:${el.getAttribute('name') ?? ''}:${el.getAttribute('value') ?? ''}`;
    });
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    // The field, the approve buttons (one per provider), then the cancel button, in reading order.
    const field = order.indexOf('input:user_code:');
    const approveOidc = order.indexOf('button:choice:approve:dev-oidc');
    const cancel = order.indexOf('button:choice:deny');
    expect(field).toBeGreaterThanOrEqual(0);
    expect(approveOidc).toBeGreaterThan(field);
    expect(cancel).toBeGreaterThan(approveOidc);
    // Type the code, Tab to "Approve … (OIDC)", press Enter: the IdP's sign-in starts.
    await page.getByLabel('Code shown by the command').focus();
    await page.keyboard.type(userCode.replace('-', '').toLowerCase());
    for (let i = 0; i < approveOidc - field; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:choice:approve:dev-oidc');
    await page.keyboard.press('Enter');
    await page.getByLabel(/user ?name/i).waitFor();
    expect(new URL(page.url()).origin).not.toBe(started.stack.url);
    await ctx.close();
  });
});
