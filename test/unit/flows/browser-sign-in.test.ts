// The browser half of sign-in as values: after a verified identity, the role picker (a sealed ticket bound to this
// browser) or credentials delivered at once; then the picker's form, which issues once, for the browser the ticket
// is bound to, a role the rules still grant. The real sealer, rules and config; fake issuer and federation endpoint.

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../../shared/config/index.ts';
import { createBrowserSignIn, parseTicket, TICKET_SECONDS, type SessionForm, type SignInOutcome, type TicketPayload } from '../../../shared/flows/browser-sign-in.ts';
import type { VerifiedIdentity } from '../../../shared/identity/verified-identity.ts';
import { DEFAULT_DESTINATION } from '../../../shared/issuance/console.ts';
import { createMemoryReplayStore } from '../../support/memory-replay.ts';
import { ARNS, auditLog, BASE_URL, clock, CTX, fakeFederation, fakeIssuer, FLOW_NOW, flowConfig, oidcIdentity, sealerOf } from '../../support/flows.ts';

let config: BrokerConfig;
beforeAll(async () => {
  config = await flowConfig();
});

const ticketSealer = () => sealerOf<TicketPayload>({ purpose: 'ticket', failCode: 'TICKET_INVALID', parse: parseTicket });

const setup = () => {
  const tickets = ticketSealer();
  const issuer = fakeIssuer();
  const federation = fakeFederation();
  const log = auditLog();
  const time = clock();
  const replay = createMemoryReplayStore(() => time.now().getTime());
  const flow = createBrowserSignIn({ config, tickets, replay, issue: issuer.issue, federation: federation.federation, audit: log.audit, now: time.now });
  return { flow, tickets, issuer, federation, records: log.records, time, replay };
};

const pickerOf = (outcome: SignInOutcome) => {
  if (outcome.kind !== 'picker') throw new Error(`expected the picker, got ${outcome.kind}`);
  return outcome;
};

const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

describe('afterSignIn', () => {
  it('shows the picker: a sealed ticket bound to a new browser id, every granted role at its longest session', async () => {
    const { flow, tickets, records, issuer } = setup();
    const outcome = pickerOf(await flow.afterSignIn({ identity: oidcIdentity(), intent: {}, ctx: CTX }));
    expect(outcome.browserId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(outcome.picker.roles.map((r) => [r.id, r.session.durationSeconds])).toEqual([
      ['readonly', 3600],
      ['web', 43_200],
    ]);
    expect(outcome.picker).toMatchObject({ who: 'alice', defaultSeconds: 3600 });
    const payload = tickets.open(outcome.picker.ticket, FLOW_NOW);
    expect(payload.browser).toBe(sha256(outcome.browserId));
    expect(payload.identity).toMatchObject({ providerId: 'corp-oidc', subject: 'alice' });
    expect(issuer.calls).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/sign-in', decision: 'grant', code: 'PICKER_SHOWN', ruleIds: ['devs'] });
  });

  it(`seals a ticket that lives ${TICKET_SECONDS} s`, async () => {
    const { flow, tickets } = setup();
    const { picker } = pickerOf(await flow.afterSignIn({ identity: oidcIdentity(), intent: {}, ctx: CTX }));
    expect(() => tickets.open(picker.ticket, new Date(FLOW_NOW.getTime() + (TICKET_SECONDS - 1) * 1000))).not.toThrow();
    expect(() => tickets.open(picker.ticket, new Date(FLOW_NOW.getTime() + TICKET_SECONDS * 1000))).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
  });

  it('keeps the browser id the browser already holds, and replaces one of another shape', async () => {
    const { flow } = setup();
    const held = 'b'.repeat(43);
    expect(pickerOf(await flow.afterSignIn({ identity: oidcIdentity(), intent: {}, ctx: CTX, browserId: held })).browserId).toBe(held);
    const odd = pickerOf(await flow.afterSignIn({ identity: oidcIdentity(), intent: {}, ctx: CTX, browserId: 'short;Path=/' })).browserId;
    expect(odd).not.toBe('short;Path=/');
    expect(odd).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('carries the destination of the login into the ticket and the picker', async () => {
    const { flow, tickets } = setup();
    const destination = 'https://console.aws.amazon.com/s3/home';
    const { picker } = pickerOf(await flow.afterSignIn({ identity: oidcIdentity(), intent: { destination }, ctx: CTX }));
    expect(picker.destination).toBe(destination);
    expect(tickets.open(picker.ticket, FLOW_NOW).destination).toBe(destination);
  });

  it('shows the picker when a role is named without a target', async () => {
    const { flow } = setup();
    expect((await flow.afterSignIn({ identity: oidcIdentity(), intent: { role: 'readonly' }, ctx: CTX })).kind).toBe('picker');
  });

  it('delivers the console at once when role and target console were given at login', async () => {
    const { flow, federation, issuer, records } = setup();
    const outcome = await flow.afterSignIn({ identity: oidcIdentity(), intent: { role: 'readonly', target: 'console' }, ctx: CTX });
    expect(outcome).toEqual({ kind: 'delivered', delivery: { kind: 'console', url: 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=fake-1' } });
    expect(issuer.calls.map((c) => c.role.id)).toEqual(['readonly']);
    // Role-chained credentials may not ask for a console session duration.
    expect(federation.calls[0]?.[1]).toEqual({ issuer: BASE_URL, destination: DEFAULT_DESTINATION, sessionDurationSeconds: undefined });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ decision: 'grant', roleArn: ARNS.readonly, accessKeyId: issuer.issued[0]?.accessKeyId });
  });

  it('asks the console for the session duration of a web-identity role, to the destination given', async () => {
    const { flow, federation } = setup();
    const destination = 'https://us-east-1.console.aws.amazon.com/ec2/home';
    await flow.afterSignIn({ identity: oidcIdentity(), intent: { role: 'web', target: 'console', destination }, ctx: CTX });
    expect(federation.calls[0]?.[1]).toEqual({ issuer: BASE_URL, destination, sessionDurationSeconds: 3600 });
  });

  it('delivers the credentials themselves for target cli', async () => {
    const { flow, issuer, federation } = setup();
    const outcome = await flow.afterSignIn({ identity: oidcIdentity(), intent: { role: 'readonly', target: 'cli' }, ctx: CTX });
    expect(outcome).toMatchObject({ kind: 'delivered', delivery: { kind: 'credentials', credentials: issuer.issued[0], role: { id: 'readonly' } } });
    expect(federation.calls).toHaveLength(0);
  });

  it.each([
    ['no rule matches', oidcIdentity({ groups: ['sales'] }), {}, 'NO_ROLE_GRANTED'],
    ['a deny rule matches', oidcIdentity({ groups: ['aws-dev', 'contractors'] }), {}, 'DENIED_BY_RULE'],
    ['the role named at login is not granted', oidcIdentity(), { role: 'ops', target: 'cli' as const }, 'ROLE_NOT_GRANTED'],
  ])('refuses when %s: its code, one audit record, no ticket, nothing issued', async (_name, identity, intent, code) => {
    const { flow, records, issuer } = setup();
    await expect(flow.afterSignIn({ identity, intent, ctx: CTX })).rejects.toMatchObject({ code });
    expect(issuer.calls).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/sign-in', decision: 'deny', code, subject: 'alice' });
  });
});

describe('completeSession', () => {
  /** A picker shown to one browser: its ticket and browser id. */
  const signedIn = async (env: ReturnType<typeof setup>, identity: VerifiedIdentity = oidcIdentity()) => {
    const outcome = pickerOf(await env.flow.afterSignIn({ identity, intent: {}, ctx: CTX }));
    env.records.length = 0;
    return { ticket: outcome.picker.ticket, browserId: outcome.browserId };
  };
  const form = (ticket: string, fields: Partial<SessionForm> = {}): SessionForm => ({ ticket, role: 'readonly', target: 'cli', ...fields });

  it('issues the chosen role for the browser the ticket is bound to, and audits the grant', async () => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env);
    const delivery = await env.flow.completeSession({ form: form(ticket, { duration: '900' }), browserId, ctx: CTX });
    expect(delivery).toMatchObject({ kind: 'credentials', role: { id: 'readonly', session: { durationSeconds: 900 } } });
    expect(env.issuer.calls).toHaveLength(1);
    expect(env.records).toHaveLength(1);
    expect(env.records[0]).toMatchObject({ route: '/session', decision: 'grant', roleArn: ARNS.readonly });
  });

  it('opens the console by default (no target), to the destination the ticket carries', async () => {
    const env = setup();
    const destination = 'https://console.aws.amazon.com/iam/home';
    const outcome = pickerOf(await env.flow.afterSignIn({ identity: oidcIdentity(), intent: { destination }, ctx: CTX }));
    const delivery = await env.flow.completeSession({ form: { ticket: outcome.picker.ticket, role: 'readonly' }, browserId: outcome.browserId, ctx: CTX });
    expect(delivery.kind).toBe('console');
    expect(env.federation.calls[0]?.[1].destination).toBe(destination);
  });

  it.each([
    ['no ticket', 'TICKET_INVALID', (t: string) => form(t, { ticket: undefined })],
    ['a tampered ticket', 'TICKET_INVALID', (t: string) => form(`${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`)],
    ['no role chosen', 'INVALID_REQUEST', (t: string) => form(t, { role: undefined })],
    ['a role id of another shape', 'INVALID_REQUEST', (t: string) => form(t, { role: '../readonly' })],
    ['a target that is a URL', 'DESTINATION_NOT_ALLOWED', (t: string) => form(t, { target: 'https://evil.example.com/' })],
    ['a destination off the AWS console', 'DESTINATION_NOT_ALLOWED', (t: string) => form(t, { destination: 'https://evil.example.com/' })],
  ] as const)('refuses %s: %s, nothing issued', async (_name, code, mutate) => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env);
    await expect(env.flow.completeSession({ form: mutate(ticket), browserId, ctx: CTX })).rejects.toMatchObject({ code });
    expect(env.issuer.calls).toHaveLength(0);
  });

  it.each([['a duration that is not a number', 'soon'], ['a duration of seven digits', '1234567'], ['a negative duration', '-900'], ['a fractional duration', '900.5']])(
    'refuses %s with INVALID_REQUEST without spending the ticket',
    async (_name, duration) => {
      const env = setup();
      const { ticket, browserId } = await signedIn(env);
      await expect(env.flow.completeSession({ form: form(ticket, { duration }), browserId, ctx: CTX })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      expect(env.issuer.calls).toHaveLength(0);
      await expect(env.flow.completeSession({ form: form(ticket), browserId, ctx: CTX })).resolves.toMatchObject({ kind: 'credentials' });
    },
  );

  it('refuses the ticket from another browser (another browser id, or none) with TICKET_INVALID', async () => {
    const env = setup();
    const { ticket } = await signedIn(env);
    const other = await signedIn(env);
    await expect(env.flow.completeSession({ form: form(ticket), browserId: other.browserId, ctx: CTX })).rejects.toMatchObject({ code: 'TICKET_INVALID' });
    await expect(env.flow.completeSession({ form: form(ticket), browserId: undefined, ctx: CTX })).rejects.toMatchObject({ code: 'TICKET_INVALID' });
    expect(env.issuer.calls).toHaveLength(0);
  });

  it('issues once for a ticket posted twice: the replay is REPLAY_DETECTED', async () => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env);
    await env.flow.completeSession({ form: form(ticket), browserId, ctx: CTX });
    await expect(env.flow.completeSession({ form: form(ticket, { role: 'web' }), browserId, ctx: CTX })).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
    expect(env.issuer.calls).toHaveLength(1);
  });

  it(`refuses a ticket older than ${TICKET_SECONDS} s with TICKET_INVALID`, async () => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env);
    env.time.advance(TICKET_SECONDS);
    await expect(env.flow.completeSession({ form: form(ticket), browserId, ctx: CTX })).rejects.toMatchObject({ code: 'TICKET_INVALID' });
  });

  it('refuses a role the rules do not grant this identity: ROLE_NOT_GRANTED, audited, nothing issued', async () => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env);
    await expect(env.flow.completeSession({ form: form(ticket, { role: 'ops' }), browserId, ctx: CTX })).rejects.toMatchObject({ code: 'ROLE_NOT_GRANTED' });
    expect(env.issuer.calls).toHaveLength(0);
    expect(env.records).toHaveLength(1);
    expect(env.records[0]).toMatchObject({ route: '/session', decision: 'deny', code: 'ROLE_NOT_GRANTED' });
  });

  it('decides again at /session: a session too short by now (the IdP session ending) is refused', async () => {
    const env = setup();
    const { ticket, browserId } = await signedIn(env, oidcIdentity({}, { idpSessionEnd: FLOW_NOW.getTime() + 1000_000 }));
    env.time.advance(200);
    await expect(env.flow.completeSession({ form: form(ticket), browserId, ctx: CTX })).rejects.toMatchObject({ code: 'SESSION_TOO_SHORT' });
    expect(env.issuer.calls).toHaveLength(0);
  });
});
