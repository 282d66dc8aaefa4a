// Browser sign-ins for the security suite, in process: SAML (IdP-initiated or SP-initiated through the samlify
// test IdP) and OIDC (login → the test IdP's code flow → callback), each ending on the role picker.

import { inflateRawSync } from 'node:zlib';
import { expect, vi } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import type { SamlUserClaims } from '../../tools/local/dev-saml-response.ts';
import { ALICE, type ResponseOptions } from './saml-idp.ts';
import { Browser, carriesCredentials, codeOf, form, hiddenField, type BrokerUnderTest, type HandlerResult } from './security-broker.ts';
import type { AuthorizeOptions } from './security-code-flow.ts';

export interface SignedIn {
  readonly browser: Browser;
  readonly picker: HandlerResult;
  readonly ticket: string;
}

/** A signed response for this instant (the handlers check against the real clock). */
export const samlResponse = (broker: BrokerUnderTest, options: ResponseOptions = {}): Promise<string> =>
  broker.saml.response({ now: new Date(), inResponseTo: undefined, ...options });

export const postAcs = (broker: BrokerUnderTest, browser: Browser, fields: Record<string, string>): Promise<HandlerResult> =>
  browser.call(broker.handlers.saml, '/saml/acs', { body: form(fields) });

/** IdP-initiated SAML sign-in (the AWS tile): the picker for `user`. */
export const samlSignIn = async (broker: BrokerUnderTest, user: SamlUserClaims = ALICE, browser = new Browser()): Promise<SignedIn> => {
  const picker = await postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { user }) });
  return { browser, picker, ticket: hiddenField(picker.body, 'ticket') ?? '' };
};

/** SP-initiated SAML: the login redirect (flow cookie set) and the AuthnRequest ID the IdP must answer. */
export const samlLogin = async (broker: BrokerUnderTest, browser = new Browser(), query = 'provider=corp-saml'): Promise<{ browser: Browser; login: HandlerResult; requestId: string }> => {
  const login = await browser.call(broker.handlers.saml, '/saml/login', { query });
  const request = new URL(login.headers.location ?? 'https://invalid/').searchParams.get('SAMLRequest') ?? '';
  const xml = request ? inflateRawSync(Buffer.from(request, 'base64')).toString('utf8') : '';
  return { browser, login, requestId: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '' };
};

/** OIDC: /oidc/login, then the callback query the IdP would send back (not yet followed). */
export const oidcToCallback = async (broker: BrokerUnderTest, options: AuthorizeOptions = {}, browser = new Browser()): Promise<{ browser: Browser; login: HandlerResult; query: string }> => {
  const login = await browser.call(broker.handlers.oidc, '/oidc/login', { query: 'provider=corp-oidc' });
  return { browser, login, query: login.statusCode === 302 ? broker.codeFlow.authorize(login.headers.location ?? '', options) : '' };
};

/** OIDC sign-in to the picker, the ID token carrying `claims`. */
export const oidcSignIn = async (broker: BrokerUnderTest, claims: Record<string, unknown> = {}, browser = new Browser()): Promise<SignedIn> => {
  const { query } = await oidcToCallback(broker, { claims }, browser);
  const picker = await browser.call(broker.handlers.oidc, '/oidc/callback', { query });
  return { browser, picker, ticket: hiddenField(picker.body, 'ticket') ?? '' };
};

export const postSession = (broker: BrokerUnderTest, browser: Browser, fields: Record<string, string>, cookies?: string[]): Promise<HandlerResult> =>
  browser.call(broker.handlers.session, '/session', { body: form(fields), ...(cookies ? { cookies } : {}) });

/** The name of a cookie on https (the __Host- prefix). */
export const hostCookie = (base: string): string => `__Host-${base}`;

/** What an HTML-escaped claim value must look like on a page. */
export const escaped = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** One character changed in the middle: still base64url, no longer authentic. */
export const flipped = (sealed: string): string => {
  const i = Math.floor(sealed.length / 2);
  return `${sealed.slice(0, i)}${sealed[i] === 'A' ? 'B' : 'A'}${sealed.slice(i + 1)}`;
};

/** Runs `act` with the clock moved on by `seconds` (Date only: timers and I/O run as usual). */
export const later = async <T>(seconds: number, act: () => Promise<T>): Promise<T> => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + seconds * 1000);
  try {
    return await act();
  } finally {
    vi.useRealTimers();
  }
};

/** A browser-flow refusal: the code on the error page, a 4xx, no redirect, nothing issued. */
export const expectBrowserRefusal = (broker: BrokerUnderTest, result: HandlerResult, code: ErrorCode): void => {
  expect(codeOf(result)).toBe(code);
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expect(result.headers.location).toBeUndefined();
  expect(carriesCredentials(result)).toBe(false);
  expect(broker.stsCalls()).toBe(0);
};
