// How a browser sign-in's outcome is shown: the picker sets the cookie its ticket is bound to and may post only to
// the broker and the AWS federation endpoint; a delivery is the console redirect or the CLI credentials page; the
// cookies a route passes along go out with either.

import { describe, expect, it } from 'vitest';
import type { Delivery, SignInOutcome } from '../../../../shared/flows/browser-sign-in.ts';
import { TICKET_SECONDS } from '../../../../shared/flows/browser-sign-in.ts';
import type { AwsCredentials } from '../../../../shared/issuance/sts.ts';
import { BROWSER_COOKIE, browserIdOf, browserSettingsOf, clearBrowserCookie, renderDelivery, renderSignIn } from '../../../../shared/http/routes/browser.ts';
import type { RoleOutcome } from '../../../../shared/rules/index.ts';
import { httpApiEvent } from '../../../../tools/lib/lambda-events.ts';

const HTTPS = browserSettingsOf({ broker: { baseUrl: 'https://broker.example.com', signinUrl: 'https://signin.aws.amazon.com/federation' } });
const HTTP = browserSettingsOf({ broker: { baseUrl: 'http://127.0.0.1:3000', signinUrl: 'http://127.0.0.1:3000/__local/federation' } });

const role: RoleOutcome = {
  id: 'readonly',
  arn: 'arn:aws:iam::111122223333:role/ReadOnly',
  ruleId: 'devs',
  maxSessionSeconds: 3600,
  issuance: 'assume-role',
  session: { name: 'alice@example.com', tags: {}, transitiveTags: [], policyArns: [], durationSeconds: 3600, durationBoundBy: 'role' },
};
const credentials: AwsCredentials = { accessKeyId: 'ASIAROUTE0001', secretAccessKey: 'route-secret', sessionToken: 'route-token', expiration: new Date('2026-11-22T13:00:00Z') };
const BROWSER_ID = 'b'.repeat(43);
const picker: SignInOutcome = { kind: 'picker', browserId: BROWSER_ID, picker: { ticket: 'sealed-ticket', roles: [role], defaultSeconds: 3600, who: 'alice' } };
const FLOW_CLEARED = '__Host-fb_oidc=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure';

describe('browserSettingsOf', () => {
  it('is secure on an https broker, and names the federation endpoint’s origin', () => {
    expect(HTTPS).toEqual({ secure: true, signinOrigin: 'https://signin.aws.amazon.com' });
    expect(HTTP).toEqual({ secure: false, signinOrigin: 'http://127.0.0.1:3000' });
  });
});

describe('renderSignIn', () => {
  it('shows the picker and sets the binding cookie (__Host-, Strict, as long as a ticket lives) before the route’s own', () => {
    const result = renderSignIn(picker, HTTPS, [FLOW_CLEARED]);
    expect(result.statusCode).toBe(200);
    expect(result.cookies).toEqual([`__Host-${BROWSER_COOKIE}=${BROWSER_ID}; Path=/; Max-Age=${TICKET_SECONDS}; HttpOnly; SameSite=Strict; Secure`, FLOW_CLEARED]);
    expect(result.body).toContain('name="ticket" value="sealed-ticket"');
  });

  it('lets the picker’s form end at the AWS federation endpoint and nowhere else (CSP form-action)', () => {
    const csp = renderSignIn(picker, HTTPS).headers['content-security-policy'] ?? '';
    expect(/form-action ([^;]+)/.exec(csp)?.[1]).toBe("'self' https://signin.aws.amazon.com");
  });

  it('sets the binding cookie without prefix or Secure on an http broker (local development)', () => {
    expect(renderSignIn(picker, HTTP).cookies?.[0]).toBe(`${BROWSER_COOKIE}=${BROWSER_ID}; Path=/; Max-Age=${TICKET_SECONDS}; HttpOnly; SameSite=Strict`);
  });

  it('renders a delivery as renderDelivery does, with no binding cookie', () => {
    const delivered: SignInOutcome = { kind: 'delivered', delivery: { kind: 'console', url: 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=t' } };
    const result = renderSignIn(delivered, HTTPS, [FLOW_CLEARED]);
    expect(result.statusCode).toBe(302);
    expect(result.cookies).toEqual([FLOW_CLEARED]);
  });
});

describe('renderDelivery', () => {
  it('redirects to the console sign-in URL, with the cookies given, and no body', () => {
    const delivery: Delivery = { kind: 'console', url: 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=t' };
    const result = renderDelivery(delivery, [clearBrowserCookie(HTTPS)]);
    expect(result).toMatchObject({ statusCode: 302, body: '', cookies: [`__Host-${BROWSER_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`] });
    expect(result.headers.location).toBe(delivery.url);
    expect(result.headers['cache-control']).toBe('no-store');
  });

  it('shows the CLI credentials page, never cached, with the cookies given', () => {
    const result = renderDelivery({ kind: 'credentials', credentials, role }, [clearBrowserCookie(HTTPS)]);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('export AWS_ACCESS_KEY_ID=ASIAROUTE0001');
    expect(result.body).toContain('[readonly]');
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.cookies).toHaveLength(1);
  });
});

describe('browserIdOf', () => {
  it('reads the binding cookie under the name of the deployment', () => {
    expect(browserIdOf(httpApiEvent('/session', { cookies: [`__Host-${BROWSER_COOKIE}=${BROWSER_ID}`] }), HTTPS)).toBe(BROWSER_ID);
    expect(browserIdOf(httpApiEvent('/session', { cookies: [`${BROWSER_COOKIE}=${BROWSER_ID}`] }), HTTPS)).toBeUndefined();
    expect(browserIdOf(httpApiEvent('/session', { cookies: [`${BROWSER_COOKIE}=${BROWSER_ID}`] }), HTTP)).toBe(BROWSER_ID);
  });
});
