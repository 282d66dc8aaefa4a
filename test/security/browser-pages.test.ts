// docs/security.md browser flows, end to end through the handlers: return destinations only to AWS console URLs or the
// broker (open redirect through role, target, destination and RelayState at every entry point), and claim values
// escaped on every page (a SAML attribute or OIDC claim carrying markup, signed by the test IdPs).

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { ALICE, ATTR } from '../support/saml-idp.ts';
import { Browser, carriesCredentials, codeOf, hiddenField, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { escaped, oidcSignIn, postAcs, postSession, samlResponse, samlSignIn, type SignedIn } from '../support/security-browser.ts';

const broker = useBrokerUnderTest();

const CONSOLE_DEEP_LINK = 'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:';
const EVIL_DESTINATIONS = [
  'https://evil.example.com/',
  'https://console.aws.amazon.com.evil.example/',
  'https://evilconsole.aws.amazon.com/',
  'http://console.aws.amazon.com/',
  'https://console.aws.amazon.com:8443/',
  'https://console.aws.amazon.com@evil.example.com/',
  'https://user:pass@console.aws.amazon.com/',
  'https://evil.example.com\\@console.aws.amazon.com/',
  '//evil.example.com/',
  '/\\evil.example.com/',
  'javascript:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'https://console.aws.amazon.com\u3002evil.example/',
];
const EVIL_TARGETS = ['https://evil.example.com/', '//evil.example.com', 'javascript:alert(1)', 'Console', 'cli ', 'console\r\nLocation: https://evil.example.com/'];
const EVIL_ROLES = ['https://evil.example.com/', '../admin', 'readonly\r\nLocation: https://evil.example.com/', '<script>', 'readonly/../admin'];

interface RedirectRow {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly act: () => Promise<HandlerResult>;
  /** For an accepted row: where the flow goes next. */
  readonly accepted?: (result: HandlerResult) => void;
}

const q = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const oidcLogin = (fields: Record<string, string>) => () => new Browser().call(broker.handlers.oidc, '/oidc/login', { query: q({ provider: 'corp-oidc', ...fields }) });
const samlLoginWith = (fields: Record<string, string>) => () => new Browser().call(broker.handlers.saml, '/saml/login', { query: q({ provider: 'corp-saml', ...fields }) });
const acsWithRelay = (relayState: string) => async () => postAcs(broker, new Browser(), { SAMLResponse: await samlResponse(broker), RelayState: relayState });
const sessionWith = (extra: Record<string, string>) => async () => {
  const s: SignedIn = await samlSignIn(broker);
  return postSession(broker, s.browser, { ticket: s.ticket, role: 'readonly', target: 'console', duration: '900', ...extra });
};
const toIdp = (result: HandlerResult): void => {
  expect(result.statusCode).toBe(302);
  expect(new URL(result.headers.location ?? '').hostname).toMatch(/^(127\.0\.0\.1|idp\.example\.com)$/);
};

const redirectRows: RedirectRow[] = [
  // the accepted destinations, in the same table
  { name: 'GET /oidc/login: console deep link', act: oidcLogin({ destination: CONSOLE_DEEP_LINK, role: 'readonly', target: 'console' }), accepted: toIdp },
  { name: 'GET /saml/login: console deep link', act: samlLoginWith({ destination: CONSOLE_DEEP_LINK, role: 'readonly', target: 'console' }), accepted: toIdp },
  { name: 'POST /saml/acs: RelayState a console deep link', act: acsWithRelay(CONSOLE_DEEP_LINK), accepted: (r) => expect(hiddenField(r.body, 'destination')).toBe(CONSOLE_DEEP_LINK) },
  { name: 'POST /saml/acs: RelayState the broker itself', act: acsWithRelay('https://broker.example.com/'), accepted: (r) => expect(r.body).toContain('name="ticket"') },
  {
    name: 'POST /session: console deep link',
    act: sessionWith({ destination: CONSOLE_DEEP_LINK }),
    accepted: (r) => {
      expect(r.statusCode).toBe(302);
      expect(new URL(r.headers.location ?? '').searchParams.get('Destination')).toBe(CONSOLE_DEEP_LINK);
    },
  },

  ...EVIL_DESTINATIONS.flatMap((destination): RedirectRow[] => [
    { name: `GET /oidc/login: destination ${JSON.stringify(destination)}`, code: 'DESTINATION_NOT_ALLOWED', act: oidcLogin({ destination }) },
    { name: `GET /saml/login: destination ${JSON.stringify(destination)}`, code: 'DESTINATION_NOT_ALLOWED', act: samlLoginWith({ destination }) },
    { name: `POST /saml/acs: RelayState ${JSON.stringify(destination)}`, code: 'DESTINATION_NOT_ALLOWED', act: acsWithRelay(destination) },
    { name: `POST /session: destination ${JSON.stringify(destination)}`, code: 'DESTINATION_NOT_ALLOWED', act: sessionWith({ destination }) },
  ]),
  { name: 'POST /saml/acs: RelayState on a look-alike of the broker', code: 'DESTINATION_NOT_ALLOWED', act: acsWithRelay('https://broker.example.com.evil.example/') },
  ...EVIL_TARGETS.flatMap((target): RedirectRow[] => [
    { name: `GET /oidc/login: target ${JSON.stringify(target)}`, code: 'DESTINATION_NOT_ALLOWED', act: oidcLogin({ target }) },
    { name: `GET /saml/login: target ${JSON.stringify(target)}`, code: 'DESTINATION_NOT_ALLOWED', act: samlLoginWith({ target }) },
    { name: `POST /session: target ${JSON.stringify(target)}`, code: 'DESTINATION_NOT_ALLOWED', act: sessionWith({ target }) },
  ]),
  ...EVIL_ROLES.flatMap((role): RedirectRow[] => [
    { name: `GET /oidc/login: role ${JSON.stringify(role)}`, code: 'INVALID_REQUEST', act: oidcLogin({ role, target: 'console' }) },
    { name: `GET /saml/login: role ${JSON.stringify(role)}`, code: 'INVALID_REQUEST', act: samlLoginWith({ role, target: 'console' }) },
    { name: `POST /session: role ${JSON.stringify(role)}`, code: 'INVALID_REQUEST', act: sessionWith({ role }) },
  ]),
];

describe('open redirects: role, target, destination and RelayState at every entry point', () => {
  it.each(redirectRows)('$name', async (row) => {
    broker.resetSts();
    const result = await row.act();
    if (row.code === undefined) {
      row.accepted?.(result);
      return;
    }
    expect(codeOf(result)).toBe(row.code);
    expect(result.statusCode).toBe(400);
    expect(result.headers.location).toBeUndefined();
    expect(result.body).not.toContain('name="ticket"');
    expect(carriesCredentials(result)).toBe(false);
    expect(broker.stsCalls()).toBe(0);
  });
});

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  '</code></pre><script>alert(document.cookie)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '${email}<iframe srcdoc="<script>alert(1)</script>">',
];

/** A sign-in whose identity carries `payload` in the subject and every displayed or templated claim. */
const signInWith = (protocol: 'SAML' | 'OIDC', payload: string): Promise<SignedIn> =>
  protocol === 'SAML'
    ? samlSignIn(broker, { ...ALICE, nameId: payload, attributes: { ...ALICE.attributes, [ATTR.email]: [payload], [ATTR.department]: [payload] } })
    : oidcSignIn(broker, { sub: payload, email: payload, department: payload, name: payload, preferred_username: payload });

const expectSafePage = (result: HandlerResult, payload: string): void => {
  expect(result.headers['content-type']).toMatch(/^text\/html/);
  expect(result.headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(result.headers['content-security-policy']).toMatch(/default-src 'none'/);
  expect(result.headers['x-frame-options']).toBe('DENY');
  expect(result.headers['referrer-policy']).toBe('no-referrer');
  expect(result.headers['cache-control']).toBe('no-store');
  expect(result.body).not.toContain(payload);
  // The only scripts are the page's own nonce'd static script.
  for (const tag of result.body.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/^<script nonce="[0-9a-f]{32}">$/);
  expect(result.body).not.toMatch(/<(img|svg|iframe)\b/i);
};

describe.each(['SAML', 'OIDC'] as const)('claim values with markup, signed by the %s test IdP, are escaped', (protocol) => {
  it.each(PAYLOADS)('%s on the picker and the credentials page', async (payload) => {
    broker.resetSts();
    const { browser, picker, ticket } = await signInWith(protocol, payload);
    expect(picker.statusCode).toBe(200);
    expectSafePage(picker, payload);
    // The subject is shown, escaped once.
    expect(picker.body).toContain(`Signed in as <strong>${escaped(payload)}</strong>`);

    const credentials = await postSession(broker, browser, { ticket, role: 'readonly', target: 'cli', duration: '900' });
    expect(credentials.statusCode).toBe(200);
    expectSafePage(credentials, payload);
    expect(broker.stsCalls()).toBe(1);
  });
});

describe('error pages echo nothing from the request', () => {
  it.each([
    ['an unknown provider id', () => new Browser().call(broker.handlers.oidc, '/oidc/login', { query: q({ provider: '<script>alert(1)</script>' }) })],
    ['a repeated parameter named with markup', () => new Browser().call(broker.handlers.session, '/session', { body: `${encodeURIComponent('<script>alert(1)</script>')}=1&${encodeURIComponent('<script>alert(1)</script>')}=2` })],
    ['a SAMLResponse of markup', () => postAcs(broker, new Browser(), { SAMLResponse: Buffer.from('<x>"><script>alert(1)</script></x>').toString('base64') })],
  ])('%s', async (_name, act) => {
    const page = await act();
    expect(page.statusCode).toBe(400);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).not.toContain('alert(1)');
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});
