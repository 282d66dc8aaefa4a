// The browser half shared by SAML and OIDC sign-in, as values: after the identity is verified, either straight
// on (role and target given at login) or a role picker whose sealed, short-lived, single-use ticket is bound to
// this browser; then the picker's form issues and opens the console or shows CLI credentials. Every decision
// leaves one audit record. Cookies, pages and statuses are the HTTP layer's (shared/http/routes/).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { auditRecord, grantFields, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { claimsToCarry } from '../identity/used-claims.ts';
import { reviveIdentity, type VerifiedIdentity } from '../identity/verified-identity.ts';
import { DEFAULT_DESTINATION, isConsoleUrl, type ConsoleFederation } from '../issuance/console.ts';
import type { CredentialIssuer } from '../issuance/issue.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import { isRoleRef } from '../patterns.ts';
import type { RequestContext } from '../request.ts';
import { STS_MAXIMUM, type Decision, type RoleOutcome } from '../rules/index.ts';
import type { ReplayStore } from '../stores/replay.ts';
import { MAX_SEALED_LENGTH, type Sealer } from '../stores/seal.ts';
import { decideFor } from './decide.ts';

export const TICKET_SECONDS = 300;
/** The browser-binding id: 32 random bytes, base64url. */
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

export type Target = 'console' | 'cli';

export interface BrowserIntent {
  readonly role?: string | undefined;
  readonly target?: Target | undefined;
  readonly destination?: string | undefined;
}

/** `target` is a keyword, never a URL; `destination` only an AWS console URL (open-redirect defence). */
export const checkIntent = (intent: { role?: string | undefined; target?: string | undefined; destination?: string | undefined }): BrowserIntent => {
  if (intent.target !== undefined && intent.target !== 'console' && intent.target !== 'cli') throw new BrokerError('DESTINATION_NOT_ALLOWED', 'target must be console or cli');
  if (intent.role !== undefined && !isRoleRef(intent.role)) throw new BrokerError('INVALID_REQUEST', 'role must be a role id', { publicDetail: 'role must be a role id.' });
  if (intent.destination !== undefined && !isConsoleUrl(intent.destination)) throw new BrokerError('DESTINATION_NOT_ALLOWED', 'destination is not an AWS console URL');
  return { role: intent.role, target: intent.target as Target | undefined, destination: intent.destination };
};

/** A provider's login request (GET /saml/login, GET /oidc/login): the provider, the intent, and for a CLI sign-in its marker. */
export interface LoginRequest {
  readonly provider?: string | undefined;
  readonly role?: string | undefined;
  readonly target?: string | undefined;
  readonly destination?: string | undefined;
  /** `cli=1`: this sign-in continues a CLI request, whose sealed value this browser must hold (its cookie). */
  readonly cli?: string | undefined;
  readonly sealedCliRequest?: string | undefined;
  readonly now: Date;
}

/** What the role-picker ticket carries (sealed: the browser reads none of it). */
export interface TicketPayload {
  readonly id: string;
  /** SHA-256 of the browser-binding id. */
  readonly browser: string;
  readonly identity: VerifiedIdentity;
  readonly destination?: string | undefined;
}

/** Credentials issued for one role, and where they go. */
export type Delivery =
  | { readonly kind: 'console'; readonly url: string }
  | { readonly kind: 'credentials'; readonly credentials: AwsCredentials; readonly role: RoleOutcome };

export interface Picker {
  readonly ticket: string;
  readonly roles: readonly RoleOutcome[];
  readonly defaultSeconds: number;
  readonly destination?: string | undefined;
  /** Who signed in, as the page shows it. */
  readonly who: string;
}

/** Where a sign-in leads: the picker (with the browser-binding id to set), or credentials delivered at once. */
export type SignInOutcome = { readonly kind: 'picker'; readonly picker: Picker; readonly browserId: string } | { readonly kind: 'delivered'; readonly delivery: Delivery };

export interface BrowserSignInDeps {
  readonly config: BrokerConfig;
  readonly tickets: Sealer<TicketPayload>;
  readonly replay: ReplayStore;
  readonly issue: CredentialIssuer;
  readonly federation: ConsoleFederation;
  readonly audit: AuditSink;
  readonly now?: () => Date;
}

export interface SignedIn {
  readonly identity: VerifiedIdentity;
  readonly intent: BrowserIntent;
  readonly ctx: RequestContext;
  /** The browser-binding id the browser already holds (its cookie), if any. */
  readonly browserId?: string | undefined;
}

/** The picker's form, as posted to POST /session. */
export interface SessionForm {
  readonly ticket?: string | undefined;
  readonly role?: string | undefined;
  readonly duration?: string | undefined;
  readonly target?: string | undefined;
  readonly destination?: string | undefined;
}

export interface SessionRequest {
  readonly form: SessionForm;
  readonly browserId?: string | undefined;
  readonly ctx: RequestContext;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');
const sameDigest = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const createBrowserSignIn = (deps: BrowserSignInDeps) => {
  const clock = deps.now ?? ((): Date => new Date());

  const refuse = (route: string, identity: VerifiedIdentity, ctx: RequestContext, now: Date, decision: Extract<Decision, { outcome: 'deny' }>): never => {
    deps.audit({ ...auditRecord(route, ctx, now, { identity, decision }), code: decision.code });
    throw new BrokerError(decision.code, decision.detail);
  };

  /** Issues for one decided role and delivers: the console sign-in URL or the credentials themselves. */
  const deliver = async (route: '/sign-in' | '/session', identity: VerifiedIdentity, role: RoleOutcome, intent: BrowserIntent, ctx: RequestContext, now: Date): Promise<Delivery> => {
    const credentials = await deps.issue(role, identity, now);
    deps.audit({ ...auditRecord(route, ctx, now, { identity }), ...grantFields(role, credentials) });
    if (intent.target === 'cli') return { kind: 'credentials', credentials, role };
    const url = await deps.federation.loginUrl(credentials, {
      issuer: deps.config.broker.baseUrl,
      destination: intent.destination ?? DEFAULT_DESTINATION,
      // Role-chained (assume-role) credentials may not ask for a console session duration.
      sessionDurationSeconds: role.issuance === 'web-identity' ? role.session.durationSeconds : undefined,
    });
    return { kind: 'console', url };
  };

  /** After the SAML ACS or the OIDC callback: the picker, or straight on when role and target were given at login. */
  const afterSignIn = async (input: SignedIn): Promise<SignInOutcome> => {
    const { identity, intent, ctx } = input;
    const now = clock();
    const decision = decideFor(deps.config, { identity, ctx, now, role: intent.role === undefined ? undefined : { id: intent.role } });
    if (decision.outcome === 'deny') return refuse('/sign-in', identity, ctx, now, decision);
    const [chosen] = decision.roles;
    if (intent.role !== undefined && intent.target !== undefined && chosen) {
      return { kind: 'delivered', delivery: await deliver('/sign-in', identity, chosen, intent, ctx, now) };
    }
    const browserId = input.browserId !== undefined && BROWSER_ID.test(input.browserId) ? input.browserId : randomBytes(32).toString('base64url');
    // Only the claims a decision on this config can read: a user in hundreds of groups still fits the ticket.
    const carried: VerifiedIdentity = { ...identity, rawClaims: claimsToCarry(deps.config, identity.providerId, identity.rawClaims) };
    const payload: TicketPayload = { id: randomBytes(16).toString('base64url'), browser: digest(browserId), identity: carried, destination: intent.destination };
    const ticket = deps.tickets.seal(payload, new Date(now.getTime() + TICKET_SECONDS * 1000));
    // Refused here, with a clear code, rather than as a ticket POST /session can never open.
    if (ticket.length > MAX_SEALED_LENGTH) {
      deps.audit({ ...auditRecord('/sign-in', ctx, now, { identity, decision }), code: 'IDENTITY_TOO_LARGE' });
      throw new BrokerError('IDENTITY_TOO_LARGE', `the role-picker ticket would be ${ticket.length} characters (at most ${MAX_SEALED_LENGTH})`);
    }
    // The picker offers each role with the longest session it could have.
    const listed = decideFor(deps.config, { identity, ctx, now, requestedSeconds: STS_MAXIMUM });
    const roles = listed.outcome === 'grant' ? listed.roles : decision.roles;
    deps.audit({ ...auditRecord('/sign-in', ctx, now, { identity, decision }), decision: 'grant', code: 'PICKER_SHOWN' });
    return {
      kind: 'picker',
      browserId,
      picker: { ticket, roles, defaultSeconds: deps.config.broker.defaultSessionSeconds, destination: intent.destination, who: identity.subject },
    };
  };

  /** The ticket's payload, opened and checked to be bound to this browser (TICKET_INVALID otherwise). */
  const openTicket = (ticket: string | undefined, browserId: string | undefined, now: Date): TicketPayload => {
    if (!ticket) throw new BrokerError('TICKET_INVALID', 'no ticket');
    const payload = deps.tickets.open(ticket, now);
    // Bound to the browser that signed in: a ticket lifted from another browser is useless.
    if (browserId === undefined || !sameDigest(digest(browserId), payload.browser)) throw new BrokerError('TICKET_INVALID', 'ticket bound to another browser');
    return payload;
  };

  /** GET /session: the picker of a ticket again (its filter without JavaScript). Decided again; the ticket is not spent. */
  const showPicker = async (request: { readonly ticket?: string | undefined; readonly browserId?: string | undefined; readonly ctx: RequestContext }): Promise<Picker> => {
    const { ctx } = request;
    const now = clock();
    const ticket = request.ticket ?? '';
    const { identity, destination } = openTicket(ticket, request.browserId, now);
    const decision = decideFor(deps.config, { identity, ctx, now, requestedSeconds: STS_MAXIMUM });
    if (decision.outcome === 'deny') return refuse('/session', identity, ctx, now, decision);
    deps.audit({ ...auditRecord('/session', ctx, now, { identity, decision }), decision: 'grant', code: 'PICKER_SHOWN' });
    return { ticket, roles: decision.roles, defaultSeconds: deps.config.broker.defaultSessionSeconds, destination, who: identity.subject };
  };

  /** POST /session: the picker's form, from the browser the ticket is bound to. */
  const completeSession = async (request: SessionRequest): Promise<Delivery> => {
    const { form, ctx } = request;
    const now = clock();
    const payload = openTicket(form.ticket, request.browserId, now);
    const intent = checkIntent({ role: form.role, target: form.target ?? 'console', destination: form.destination ?? payload.destination });
    if (intent.role === undefined) throw new BrokerError('INVALID_REQUEST', 'no role chosen', { publicDetail: 'Choose a role.' });
    if (form.duration !== undefined && !/^\d{1,6}$/.test(form.duration)) throw new BrokerError('INVALID_REQUEST', 'bad duration', { publicDetail: 'duration must be a number of seconds.' });
    // Single use: a ticket posted twice (a replayed form) issues nothing the second time.
    await deps.replay.claimOnce(`ticket:${payload.id}`, new Date(now.getTime() + TICKET_SECONDS * 1000));
    const { identity } = payload;
    const decision = decideFor(deps.config, { identity, ctx, now, role: { id: intent.role }, requestedSeconds: form.duration === undefined ? undefined : Number(form.duration) });
    if (decision.outcome === 'deny') return refuse('/session', identity, ctx, now, decision);
    const [role] = decision.roles;
    if (!role) throw new BrokerError('ROLE_NOT_GRANTED', 'the chosen role is not granted');
    return deliver('/session', identity, role, { ...intent, target: intent.target ?? 'console' }, ctx, now);
  };

  return { afterSignIn, showPicker, completeSession };
};

export type BrowserSignIn = ReturnType<typeof createBrowserSignIn>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A ticket's payload as read back from its sealed form (the sealer authenticated it; this checks its shape). */
export const parseTicket = (value: unknown): TicketPayload | undefined => {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.browser !== 'string') return undefined;
  if (value.destination !== undefined && typeof value.destination !== 'string') return undefined;
  const identity = reviveIdentity(value.identity);
  return identity && { id: value.id, browser: value.browser, identity, destination: value.destination };
};

/** An intent read back from a sealed value: checked again, exactly as at login; undefined when it does not pass. */
export const parseIntent = (value: unknown): BrowserIntent | undefined => {
  if (!isRecord(value)) return undefined;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  try {
    return checkIntent({ role: text(value.role), target: text(value.target), destination: text(value.destination) });
  } catch {
    return undefined;
  }
};
