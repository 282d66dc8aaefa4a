// The browser half shared by SAML and OIDC sign-in: after the identity is verified, a role picker with a sealed,
// short-lived, single-use ticket bound to this browser; then POST /session issues and opens the console or shows
// CLI credentials. Every decision leaves one audit record.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { grantFields, type AuditRecord, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { clearCookie, readCookie, setCookie } from '../http/cookies.ts';
import type { RequestContext } from '../http/decode.ts';
import type { HttpEvent } from '../http/handler.ts';
import { credentialsPage, pickerPage } from '../http/pages.ts';
import { redirect, type HttpResult } from '../http/responses.ts';
import { identityInput } from '../identity/claims.ts';
import { claimsToCarry } from '../identity/used-claims.ts';
import { DEFAULT_DESTINATION, isConsoleUrl, type ConsoleFederation } from '../issuance/console.ts';
import { decide, type RoleOutcome } from '../rules/index.ts';
import type { ReplayStore } from '../stores/replay.ts';
import { MAX_SEALED_LENGTH, type Sealer } from '../stores/seal.ts';
import type { VerifiedIdentity } from './identity.ts';
import type { CredentialIssuer } from './token-exchange.ts';

export const TICKET_SECONDS = 300;
const BROWSER_COOKIE = 'fb_bid';

export type Target = 'console' | 'cli';

export interface BrowserIntent {
  readonly role?: string | undefined;
  readonly target?: Target | undefined;
  readonly destination?: string | undefined;
}

export interface BrowserDeps {
  readonly config: BrokerConfig;
  readonly sealer: Sealer;
  readonly replay: ReplayStore;
  readonly issue: CredentialIssuer;
  readonly federation: ConsoleFederation;
  readonly audit: AuditSink;
  readonly now?: () => Date;
}

export const isSecure = (config: BrokerConfig): boolean => config.broker.baseUrl.startsWith('https:');

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');
const sameDigest = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `target` is a keyword, never a URL; `destination` only an AWS console URL (open-redirect defence). */
export const checkIntent = (intent: { role?: string | undefined; target?: string | undefined; destination?: string | undefined }): BrowserIntent => {
  if (intent.target !== undefined && intent.target !== 'console' && intent.target !== 'cli') throw new BrokerError('DESTINATION_NOT_ALLOWED', 'target must be console or cli');
  if (intent.role !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(intent.role)) throw new BrokerError('INVALID_REQUEST', 'role must be a role id', { publicDetail: 'role must be a role id.' });
  if (intent.destination !== undefined && !isConsoleUrl(intent.destination)) throw new BrokerError('DESTINATION_NOT_ALLOWED', 'destination is not an AWS console URL');
  return { role: intent.role, target: intent.target as Target | undefined, destination: intent.destination };
};

const auditBase = (route: string, ctx: RequestContext, now: Date, identity: VerifiedIdentity): AuditRecord => ({
  time: now.toISOString(),
  requestId: ctx.requestId,
  sourceIp: ctx.sourceIp,
  route,
  protocol: identity.protocol,
  provider: identity.providerId,
  subject: identity.subject,
  tokenId: identity.tokenId,
  decision: 'deny',
  ruleIds: [],
});

interface TicketPayload {
  readonly id: string;
  readonly browser: string;
  readonly identity: VerifiedIdentity;
  readonly idpSessionEnd?: number | undefined;
  readonly destination?: string | undefined;
}

export const createBrowserSession = (deps: BrowserDeps) => {
  const clock = deps.now ?? ((): Date => new Date());
  const secure = isSecure(deps.config);

  const decideFor = (identity: VerifiedIdentity, ctx: RequestContext, now: Date, role: string | undefined, requestedSeconds: number | undefined, idpSessionEnd: number | undefined) =>
    decide({
      policy: deps.config.policy,
      provider: identity.providerId,
      ...identityInput(deps.config, identity.providerId, identity.rawClaims, { sourceIp: ctx.sourceIp, time: now }),
      role: role === undefined ? undefined : { id: role },
      requestedSeconds,
      defaultSeconds: deps.config.broker.defaultSessionSeconds,
      idpSecondsLeft: idpSessionEnd === undefined ? undefined : (idpSessionEnd - now.getTime()) / 1000,
    });

  /** Issues for one decided role and answers with the console redirect or the credentials page. */
  const deliver = async (identity: VerifiedIdentity, role: RoleOutcome, target: Target, destination: string | undefined, ctx: RequestContext, now: Date, cookies: string[]): Promise<HttpResult> => {
    const credentials = await deps.issue(role, identity, now);
    deps.audit({ ...auditBase('/session', ctx, now, identity), ...grantFields(role, credentials) });
    if (target === 'cli') return credentialsPage({ credentials, role, profile: role.id }, { cookies });
    const url = await deps.federation.loginUrl(credentials, {
      issuer: deps.config.broker.baseUrl,
      destination: destination ?? DEFAULT_DESTINATION,
      // Role-chained (assume-role) credentials may not ask for a console session duration.
      sessionDurationSeconds: role.issuance === 'web-identity' ? role.session.durationSeconds : undefined,
    });
    return redirect(url, {}, cookies);
  };

  /** After ACS / OIDC callback: the picker (or straight on when role and target were given at login). */
  const afterSignIn = async (identity: VerifiedIdentity, ctx: RequestContext, event: HttpEvent, intent: BrowserIntent, idpSessionEnd?: Date): Promise<HttpResult> => {
    const now = clock();
    const end = idpSessionEnd?.getTime();
    const decision = decideFor(identity, ctx, now, intent.role, undefined, end);
    const matched = decision.trace.filter((t) => t.matched).map((t) => t.ruleId);
    if (decision.outcome === 'deny') {
      deps.audit({ ...auditBase('/sign-in', ctx, now, identity), code: decision.code, ruleIds: matched });
      throw new BrokerError(decision.code, decision.detail);
    }
    const cookies: string[] = [];
    if (intent.role !== undefined && intent.target !== undefined) {
      const role = decision.roles[0];
      if (role) return deliver(identity, role, intent.target, intent.destination, ctx, now, cookies);
    }
    let browser = readCookie(event, BROWSER_COOKIE, secure);
    if (!browser || !/^[A-Za-z0-9_-]{43}$/.test(browser)) {
      browser = randomBytes(32).toString('base64url');
    }
    // Re-set on every sign-in so that the binding cookie lives as long as the newest ticket.
    cookies.push(setCookie(BROWSER_COOKIE, browser, { secure, sameSite: 'Strict', maxAgeSeconds: TICKET_SECONDS }));
    // Only the claims a decision on this config can read: a user in hundreds of groups still fits the ticket.
    const carried: VerifiedIdentity = { ...identity, rawClaims: claimsToCarry(deps.config, identity.providerId, identity.rawClaims) };
    const payload: TicketPayload = { id: randomBytes(16).toString('base64url'), browser: digest(browser), identity: carried, idpSessionEnd: end, destination: intent.destination };
    const ticket = deps.sealer.seal('ticket', payload as unknown as Record<string, unknown>, new Date(now.getTime() + TICKET_SECONDS * 1000));
    // Refused here, with a clear code, rather than as a ticket /session can never open.
    if (ticket.length > MAX_SEALED_LENGTH) {
      deps.audit({ ...auditBase('/sign-in', ctx, now, identity), code: 'IDENTITY_TOO_LARGE', ruleIds: matched });
      throw new BrokerError('IDENTITY_TOO_LARGE', `the role-picker ticket would be ${ticket.length} characters (at most ${MAX_SEALED_LENGTH})`);
    }
    const listed = decideFor(identity, ctx, now, undefined, 43_200, end);
    const roles = listed.outcome === 'grant' ? listed.roles : decision.roles;
    deps.audit({ ...auditBase('/sign-in', ctx, now, identity), decision: 'grant', ruleIds: matched, code: 'PICKER_SHOWN' });
    // The picker's form is answered by a redirect to the AWS federation endpoint: CSP form-action must allow it.
    const formTargets = [new URL(deps.config.broker.signinUrl).origin];
    return pickerPage({ ticket, roles, defaultSeconds: deps.config.broker.defaultSessionSeconds, destination: intent.destination, who: identity.subject }, { cookies, formTargets });
  };

  /** POST /session: the picker's form. */
  const completeSession = async (form: ReadonlyMap<string, string>, event: HttpEvent, ctx: RequestContext): Promise<HttpResult> => {
    const now = clock();
    const sealed = form.get('ticket');
    if (!sealed) throw new BrokerError('TICKET_INVALID', 'no ticket');
    const payload = deps.sealer.open('ticket', sealed, now, 'TICKET_INVALID') as unknown as TicketPayload;
    // Bound to the browser that signed in: a ticket lifted from another browser is useless.
    const browser = readCookie(event, BROWSER_COOKIE, secure);
    if (!browser || typeof payload.browser !== 'string' || !sameDigest(digest(browser), payload.browser)) throw new BrokerError('TICKET_INVALID', 'ticket bound to another browser');
    const intent = checkIntent({ role: form.get('role'), target: form.get('target') ?? 'console', destination: form.get('destination') ?? payload.destination });
    if (intent.role === undefined) throw new BrokerError('INVALID_REQUEST', 'no role chosen', { publicDetail: 'Choose a role.' });
    const duration = form.get('duration');
    if (duration !== undefined && !/^\d{1,6}$/.test(duration)) throw new BrokerError('INVALID_REQUEST', 'bad duration', { publicDetail: 'duration must be a number of seconds.' });
    await deps.replay.claimOnce(`ticket:${String(payload.id)}`, new Date(now.getTime() + TICKET_SECONDS * 1000));
    const identity = payload.identity;
    const decision = decideFor(identity, ctx, now, intent.role, duration === undefined ? undefined : Number(duration), payload.idpSessionEnd);
    if (decision.outcome === 'deny') {
      deps.audit({ ...auditBase('/session', ctx, now, identity), code: decision.code, ruleIds: decision.trace.filter((t) => t.matched).map((t) => t.ruleId) });
      throw new BrokerError(decision.code, decision.detail);
    }
    const role = decision.roles[0] as RoleOutcome;
    return deliver(identity, role, intent.target ?? 'console', intent.destination, ctx, now, [clearCookie(BROWSER_COOKIE, secure)]);
  };

  return { afterSignIn, completeSession };
};
