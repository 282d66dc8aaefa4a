// docs/security.md browser flows, end to end through the handlers: the role-picker ticket posted to /session (tampered,
// expired, replayed, another browser's, CSRF without the binding cookie, bad role/duration), after a SAML and after
// an OIDC sign-in. Each row starts from a real sign-in and changes one thing; each asserts its code and that
// nothing was issued. Flow cookies: browser-flow-cookies.test.ts.

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { ALICE, ATTR } from '../support/saml-idp.ts';
import { Browser, carriesCredentials, form, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { expectBrowserRefusal, flipped, hostCookie, later, oidcSignIn, oidcToCallback, postSession, samlLogin, samlSignIn, type SignedIn } from '../support/security-browser.ts';

const broker = useBrokerUnderTest();

interface TicketRow {
  readonly name: string;
  /** undefined: accepted (CLI page or console redirect). */
  readonly code?: ErrorCode;
  readonly act: (s: SignedIn) => Promise<HandlerResult>;
}

const fields = (s: SignedIn, extra: Record<string, string> = {}): Record<string, string> => ({ ticket: s.ticket, role: 'readonly', target: 'cli', duration: '900', ...extra });
const without = (s: SignedIn, name: string): Record<string, string> => {
  const out = fields(s);
  delete out[name];
  return out;
};
const bindingCookie = (s: SignedIn): string => `${hostCookie('fb_bid')}=${s.browser.jar.get(hostCookie('fb_bid')) ?? ''}`;

const ticketRows: TicketRow[] = [
  { name: 'valid: CLI credentials', act: (s) => postSession(broker, s.browser, fields(s)) },
  { name: 'valid: console sign-in', act: (s) => postSession(broker, s.browser, fields(s, { target: 'console' })) },
  { name: 'ticket tampered (one character)', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s, { ticket: flipped(s.ticket) })) },
  { name: 'ticket truncated', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s, { ticket: s.ticket.slice(0, -8) })) },
  { name: 'ticket empty', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s, { ticket: '' })) },
  { name: 'no ticket', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, without(s, 'ticket')) },
  { name: 'ticket of 20 000 characters', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s, { ticket: 'A'.repeat(20_000) })) },
  { name: 'ticket not base64url', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s, { ticket: `${s.ticket.slice(0, 10)}!${s.ticket.slice(11)}` })) },
  {
    name: 'a sealed OIDC flow cookie posted as the ticket (purpose confusion)',
    code: 'TICKET_INVALID',
    act: async (s) => {
      const { browser } = await oidcToCallback(broker);
      return postSession(broker, s.browser, fields(s, { ticket: browser.jar.get(hostCookie('fb_oidc')) ?? '' }));
    },
  },
  { name: 'ticket expired (clock + 301 s)', code: 'TICKET_INVALID', act: (s) => later(301, () => postSession(broker, s.browser, fields(s))) },
  {
    name: 'ticket and binding cookie replayed together',
    code: 'REPLAY_DETECTED',
    act: async (s) => {
      const cookie = bindingCookie(s);
      expect((await postSession(broker, s.browser, fields(s))).statusCode).toBe(200);
      broker.resetSts();
      return postSession(broker, new Browser(), fields(s), [cookie]);
    },
  },
  {
    name: 'ticket used twice in the same browser (binding cookie cleared)',
    code: 'TICKET_INVALID',
    act: async (s) => {
      expect((await postSession(broker, s.browser, fields(s))).statusCode).toBe(200);
      broker.resetSts();
      return postSession(broker, s.browser, fields(s));
    },
  },
  {
    name: "another browser's ticket (the thief has its own binding cookie)",
    code: 'TICKET_INVALID',
    act: async (s) => {
      const thief = await samlSignIn(broker);
      return postSession(broker, thief.browser, fields(s));
    },
  },
  { name: 'CSRF: the form posted without the binding cookie', code: 'TICKET_INVALID', act: (s) => postSession(broker, new Browser(), fields(s)) },
  { name: 'binding cookie sent twice (cookie tossing)', code: 'TICKET_INVALID', act: (s) => postSession(broker, s.browser, fields(s), [`${hostCookie('fb_bid')}=${'A'.repeat(43)}`]) },
  { name: 'binding cookie without the __Host- prefix', code: 'TICKET_INVALID', act: (s) => postSession(broker, new Browser(), fields(s), [bindingCookie(s).replace('__Host-', '')]) },
  { name: 'a role the ticket does not grant', code: 'ROLE_NOT_GRANTED', act: (s) => postSession(broker, s.browser, fields(s, { role: 'admin' })) },
  { name: 'no role', code: 'INVALID_REQUEST', act: (s) => postSession(broker, s.browser, without(s, 'role')) },
  { name: 'duration not a number', code: 'INVALID_REQUEST', act: (s) => postSession(broker, s.browser, fields(s, { duration: '1e5' })) },
  { name: 'duration negative', code: 'INVALID_REQUEST', act: (s) => postSession(broker, s.browser, fields(s, { duration: '-900' })) },
  { name: 'duration under 900 s', code: 'SESSION_TOO_SHORT', act: (s) => postSession(broker, s.browser, fields(s, { duration: '600' })) },
  { name: 'a parameter repeated', code: 'INVALID_REQUEST', act: (s) => s.browser.call(broker.handlers.session, '/session', { body: `${form(fields(s))}&role=admin` }) },
  { name: 'JSON body', code: 'UNSUPPORTED_MEDIA_TYPE', act: (s) => s.browser.call(broker.handlers.session, '/session', { body: JSON.stringify(fields(s)), contentType: 'application/json' }) },
];

describe.each([
  ['SAML', () => samlSignIn(broker)],
  ['OIDC', () => oidcSignIn(broker)],
])('POST /session after a %s sign-in: one change to the picker form each', (_protocol, signIn) => {
  it.each(ticketRows)('$name', async (row) => {
    const signedIn = await signIn();
    expect(signedIn.picker.statusCode).toBe(200);
    broker.resetSts();
    const result = await row.act(signedIn);
    if (row.code === undefined) {
      expect([200, 302]).toContain(result.statusCode);
      expect(carriesCredentials(result)).toBe(true);
      expect(broker.stsCalls()).toBe(1);
    } else {
      expectBrowserRefusal(broker, result, row.code);
    }
  });
});

// A ticket once carried every claim of the sign-in: a user in ~400 groups got a picker whose ticket /session could
// never open (sealed values over 16 KB are refused). It now carries only what a decision can read; a user whose used
// claims alone are too large is refused at sign-in, with a clear code, not at the last step.
describe('a user in hundreds of groups', () => {
  const groups = (n: number, width: number): string[] => Array.from({ length: n }, (_, i) => `grp-${String(i).padStart(width - 4, '0')}`);
  const memberOf = Array.from({ length: 400 }, (_, i) => `CN=grp-${i},OU=Groups,OU=Corp,DC=corp,DC=example,DC=com`);
  const rows: Array<{ name: string; attributes: Record<string, string[]>; code?: ErrorCode }> = [
    { name: 'valid: 400 groups, and 400 group DNs no rule reads', attributes: { [ATTR.groups]: ['aws-dev', ...groups(400, 12)], memberOf } },
    { name: '400 groups of 60 characters, which the rules read: refused at sign-in', attributes: { [ATTR.groups]: ['aws-dev', ...groups(400, 60)] }, code: 'IDENTITY_TOO_LARGE' },
  ];

  it.each(rows)('$name', async (row) => {
    broker.resetSts();
    const signedIn = await samlSignIn(broker, { ...ALICE, attributes: { ...ALICE.attributes, ...row.attributes } });
    if (row.code !== undefined) {
      expectBrowserRefusal(broker, signedIn.picker, row.code);
      expect(signedIn.picker.body).not.toContain('name="ticket"');
      return;
    }
    expect(signedIn.picker.statusCode).toBe(200);
    const result = await postSession(broker, signedIn.browser, fields(signedIn));
    expect(result.statusCode).toBe(200);
    expect(carriesCredentials(result)).toBe(true);
    expect(broker.stsCalls()).toBe(1);
  });
});

describe('tickets and flow cookies are sealed', () => {
  it('shows nothing of the identity in a ticket or a flow cookie', async () => {
    const { ticket, browser } = await samlSignIn(broker, { ...ALICE, nameId: 'sealed-check@example.com' });
    const { browser: oidcBrowser } = await oidcToCallback(broker);
    const saml = await samlLogin(broker);
    for (const sealed of [ticket, browser.jar.get(hostCookie('fb_bid')), oidcBrowser.jar.get(hostCookie('fb_oidc')), saml.browser.jar.get(hostCookie('fb_saml'))]) {
      expect(sealed).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const decoded = Buffer.from(sealed ?? '', 'base64url').toString('latin1');
      // Clues of at least 5 bytes: a shorter one turns up by chance in kilobytes of ciphertext (a 2-byte `{"` about 3 % of runs).
      for (const clue of ['sealed-check', 'example.com', 'corp-', 'alice', 'state', 'nonce', 'verifier', '{"v":', '"identity"', '"rawClaims"', '"exp":']) expect(decoded).not.toContain(clue);
    }
  });

  it('sets every flow cookie HttpOnly, Secure, SameSite and __Host-', async () => {
    const lines = [
      ...((await samlSignIn(broker)).picker.cookies ?? []),
      ...((await oidcToCallback(broker)).login.cookies ?? []),
      ...((await samlLogin(broker)).login.cookies ?? []),
    ];
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^__Host-[\w-]+=[^;]+; Path=\/; .*HttpOnly; SameSite=(Strict|Lax|None); Secure$/);
  });

  it('never writes a ticket, flow cookie, credential secret or the sealing secret to a log line', async () => {
    const { ticket, browser } = await samlSignIn(broker);
    const binding = browser.jar.get(hostCookie('fb_bid')) ?? '';
    const { browser: oidcBrowser } = await oidcToCallback(broker);
    expect((await postSession(broker, browser, { ticket, role: 'readonly', target: 'cli', duration: '900' })).statusCode).toBe(200);
    const text = broker.capture?.text() ?? '';
    expect(binding).not.toBe('');
    for (const secret of [ticket, binding, oidcBrowser.jar.get(hostCookie('fb_oidc')) ?? '', ...broker.issuedSecrets, broker.sealingSecret]) {
      expect(secret).not.toBe('');
      expect(text).not.toContain(secret);
    }
  });
});
