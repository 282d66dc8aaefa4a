// GET /cli/authorize and the provider step that follows it (docs/cli.md; RFC 6749 §4.1, RFC 7636, RFC 8252 §7.3,
// RFC 9207). An unknown client or a redirect URI that is not the CLI's loopback listener gets an error page and no
// redirect at all (an open redirector is how codes are stolen); every other error goes back to the listener with
// `error`, `state` and `iss`, never with a code. The provider's login continues a CLI request only in the browser
// that holds its sealed cookie: a direct link to the IdP step (the confirmation skipped) is refused.

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { BOB } from '../support/saml-idp.ts';
import { BASE_URL, Browser, codeOf, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { flipped, hostCookie, oidcToCallback } from '../support/security-browser.ts';
import { authorizeRequest, continueAtProvider, LOOPBACK, newPkce, nextUrl } from '../support/security-cli.ts';

const broker = useBrokerUnderTest({ resetStsEach: true });
const CLI_COOKIE = hostCookie('fb_cli');

const authorize = (browser: Browser, overrides: Record<string, string | undefined>, provider: string | undefined = 'corp-saml'): Promise<HandlerResult> =>
  browser.call(broker.handlers.cli, '/cli/authorize', { query: authorizeRequest(provider, overrides).query });

interface AuthorizeRow {
  readonly name: string;
  readonly overrides: Record<string, string | undefined>;
  /** Refused with a page (no redirect) and this code. */
  readonly page?: ErrorCode;
  /** Sent back to the loopback listener with this OAuth error. */
  readonly error?: string;
}

const authorizeRows: AuthorizeRow[] = [
  { name: 'valid: http://127.0.0.1:<port>/<path>', overrides: {} },
  { name: 'valid: http://[::1]:<port>/<path>', overrides: { redirect_uri: 'http://[::1]:53682/callback' } },
  { name: 'client_id of another client', overrides: { client_id: 'evil-cli' }, page: 'INVALID_CLIENT' },
  { name: 'client_id missing', overrides: { client_id: undefined }, page: 'INVALID_CLIENT' },
  { name: 'redirect_uri missing', overrides: { redirect_uri: undefined }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri on a non-loopback host', overrides: { redirect_uri: 'http://evil.example.com:53682/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri on localhost (RFC 8252 §8.3)', overrides: { redirect_uri: 'http://localhost:53682/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri https on loopback', overrides: { redirect_uri: 'https://127.0.0.1:53682/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri https elsewhere', overrides: { redirect_uri: 'https://evil.example.com/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri 127.1 (a spelling the URL parser widens to 127.0.0.1)', overrides: { redirect_uri: 'http://127.1:53682/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri with user info', overrides: { redirect_uri: 'http://evil.example.com@127.0.0.1:53682/callback' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri with a fragment', overrides: { redirect_uri: 'http://127.0.0.1:53682/callback#x' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'redirect_uri with a query', overrides: { redirect_uri: 'http://127.0.0.1:53682/callback?next=https://evil.example.com' }, page: 'REDIRECT_URI_INVALID' },
  { name: 'state missing (login CSRF on the listener)', overrides: { state: undefined }, error: 'invalid_request' },
  { name: 'code_challenge_method plain', overrides: { code_challenge_method: 'plain' }, error: 'invalid_request' },
  { name: 'code_challenge_method missing', overrides: { code_challenge_method: undefined }, error: 'invalid_request' },
  { name: 'code_challenge missing', overrides: { code_challenge: undefined }, error: 'invalid_request' },
  { name: 'code_challenge a plain verifier (not a SHA-256)', overrides: { code_challenge: newPkce().verifier + 'x' }, error: 'invalid_request' },
  { name: 'response_type token (implicit)', overrides: { response_type: 'token' }, error: 'unsupported_response_type' },
  { name: 'unknown provider', overrides: { provider: 'nope' }, error: 'invalid_request' },
];

describe('GET /cli/authorize', () => {
  it.each(authorizeRows)('$name', async (row) => {
    const browser = new Browser();
    const result = await authorize(browser, row.overrides);
    if (row.page !== undefined) {
      // No redirect, no cookie: nothing goes to a URI that is not the CLI's own listener.
      expect(result.statusCode).toBe(400);
      expect(codeOf(result)).toBe(row.page);
      expect(result.headers.location).toBeUndefined();
      expect(browser.jar.has(CLI_COOKIE)).toBe(false);
      return;
    }
    const location = new URL(result.headers.location ?? '', BASE_URL);
    expect(result.statusCode).toBe(302);
    if (row.error === undefined) {
      expect(`${location.pathname}${location.search}`).toBe('/saml/login?provider=corp-saml&cli=1');
      expect(browser.jar.has(CLI_COOKIE)).toBe(true);
      return;
    }
    expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
    expect(location.searchParams.get('error')).toBe(row.error);
    expect(location.searchParams.get('iss')).toBe(BASE_URL);
    expect(location.searchParams.has('code')).toBe(false);
    // The state goes back when there was one (the listener matches it); there is nothing to echo when it was missing.
    expect(location.searchParams.has('state')).toBe(!('state' in row.overrides));
    expect(browser.jar.has(CLI_COOKIE)).toBe(false);
  });

  it('with several providers and none named, shows a choice whose links carry the same request', async () => {
    const request = authorizeRequest(undefined);
    const result = await new Browser().call(broker.handlers.cli, '/cli/authorize', { query: request.query });
    expect(result.statusCode).toBe(200);
    const links = [...result.body.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&')).filter((h) => h.startsWith('/cli/authorize'));
    expect(links).toHaveLength(2);
    for (const link of links) expect(new URL(link, BASE_URL).searchParams.get('code_challenge')).toBe(request.pkce.challenge);
  });
});

interface ProviderRow {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly act: () => Promise<{ result: HandlerResult; state?: string }>;
}

/** /cli/authorize in a browser, then the provider's flow there: the redirect back to the CLI's listener. */
const throughProvider = async (provider: 'corp-saml' | 'corp-oidc', user = {}): Promise<{ result: HandlerResult; state: string }> => {
  const browser = new Browser();
  const request = authorizeRequest(provider);
  const start = await browser.call(broker.handlers.cli, '/cli/authorize', { query: request.query });
  return { result: await continueAtProvider(broker, browser, start.headers.location ?? '', user), state: request.state };
};

const providerRows: ProviderRow[] = [
  { name: 'valid: SAML sign-in ends at the listener with code, state and iss', act: () => throughProvider('corp-saml') },
  { name: 'valid: OIDC sign-in ends at the listener with code, state and iss', act: () => throughProvider('corp-oidc') },
  { name: 'direct link to the SAML login step (no CLI request in this browser)', code: 'FLOW_INVALID', act: async () => ({ result: await new Browser().call(broker.handlers.saml, '/saml/login', { query: 'provider=corp-saml&cli=1' }) }) },
  { name: 'direct link to the OIDC login step (no CLI request in this browser)', code: 'FLOW_INVALID', act: async () => ({ result: await new Browser().call(broker.handlers.oidc, '/oidc/login', { query: 'provider=corp-oidc&cli=1' }) }) },
  {
    name: 'CLI request cookie tampered',
    code: 'FLOW_INVALID',
    act: async () => {
      const browser = new Browser();
      await authorize(browser, {});
      browser.jar.set(CLI_COOKIE, flipped(browser.jar.get(CLI_COOKIE) ?? ''));
      return { result: await browser.call(broker.handlers.saml, '/saml/login', { query: 'provider=corp-saml&cli=1' }) };
    },
  },
  {
    name: 'an OIDC flow cookie as the CLI request cookie (purpose confusion)',
    code: 'FLOW_INVALID',
    act: async () => {
      const { browser } = await oidcToCallback(broker);
      const cookie = `${CLI_COOKIE}=${browser.jar.get(hostCookie('fb_oidc')) ?? ''}`;
      return { result: await new Browser().call(broker.handlers.saml, '/saml/login', { query: 'provider=corp-saml&cli=1', cookies: [cookie] }) };
    },
  },
  {
    name: 'cli=yes instead of cli=1',
    code: 'FLOW_INVALID',
    act: async () => {
      const browser = new Browser();
      await authorize(browser, {});
      return { result: await browser.call(broker.handlers.saml, '/saml/login', { query: 'provider=corp-saml&cli=yes' }) };
    },
  },
];

describe('the provider step of a CLI sign-in', () => {
  it.each(providerRows)('$name', async (row) => {
    const { result, state } = await row.act();
    expect(broker.stsCalls()).toBe(0);
    if (row.code !== undefined) {
      expect(codeOf(result)).toBe(row.code);
      expect(result.statusCode).toBe(400);
      expect(nextUrl(result)).toBeUndefined();
      return;
    }
    // OIDC: a redirect from the callback; SAML: a page that moves on by itself (the IdP's form post came before).
    expect(result.statusCode).toBe(row.name.includes('SAML') ? 200 : 302);
    const location = new URL(nextUrl(result) ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{40,}$/);
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('iss')).toBe(BASE_URL);
  });

  it('an identity no rule grants anything gets access_denied at the listener, and no code', async () => {
    const { result, state } = await throughProvider('corp-saml', { saml: BOB });
    const location = new URL(nextUrl(result) ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.has('code')).toBe(false);
    expect(broker.stsCalls()).toBe(0);
  });
});
