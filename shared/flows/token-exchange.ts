// POST /token and POST /roles as a list of small steps: verify the subject token, build the claims, decide,
// pick the role, issue, audit. Every outcome — grant, refusal, failure — leaves exactly one audit record.
// Values in (the decoded request, the request context), values out (the issued credentials, the granted roles):
// the HTTP layer renders them.

import { auditRecord, grantFields, type AuditFacts, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { VerifiedIdentity } from '../identity/verified-identity.ts';
import type { CredentialIssuer } from '../issuance/issue.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import type { RequestContext } from '../request.ts';
import { STS_MAXIMUM, type RoleOutcome } from '../rules/index.ts';
import { decideFor } from './decide.ts';

export type SubjectTokenKind = 'jwt' | 'saml2' | 'session';

/** The parameters of an RFC 8693 exchange the broker acts on. */
export interface TokenRequest {
  readonly subjectToken: string;
  readonly kind: SubjectTokenKind;
  /** Role ARN (`resource`). */
  readonly roleArn?: string | undefined;
  /** Role id (`audience`). */
  readonly roleId?: string | undefined;
  readonly durationSeconds?: number | undefined;
  /** The `DPoP` header: required with a broker session (`kind: 'session'`), ignored otherwise. */
  readonly proof?: string | undefined;
}

/** What the verifier needs of a request: the subject token, its kind, and for sessions the proof and the endpoint. */
export type SubjectTokenRequest = Pick<TokenRequest, 'subjectToken' | 'kind' | 'proof'> & { readonly endpoint: string };

/** What a verifier learned before it refused (for the audit record of the refusal). */
export interface Seen {
  sessionId?: string;
}

export type SubjectVerifier = (request: SubjectTokenRequest, now: Date, seen: Seen) => Promise<VerifiedIdentity>;

export interface ListingDeps {
  readonly config: BrokerConfig;
  /** The endpoint URL the flow answers (baseUrl + path): what a DPoP proof must name. */
  readonly endpoint: string;
  readonly verify: SubjectVerifier;
  readonly audit: AuditSink;
  readonly now?: () => Date;
}

export interface ExchangeDeps extends ListingDeps {
  readonly issue: CredentialIssuer;
}

/** What POST /token yields: the one role issued and its credentials. */
export interface Exchanged {
  readonly role: RoleOutcome;
  readonly credentials: AwsCredentials;
}

/** Runs `body`, and on any failure writes the audit record of the refusal (with what was known) before rethrowing. */
type Facts = { -readonly [K in keyof AuditFacts]: AuditFacts[K] };

const audited = async <T>(deps: ListingDeps, route: string, ctx: RequestContext, now: Date, facts: Facts, body: () => Promise<T>): Promise<T> => {
  try {
    return await body();
  } catch (error) {
    const code = error instanceof BrokerError ? error.code : 'INTERNAL';
    const decision = error instanceof BrokerError && error.status < 500 ? 'deny' : 'error';
    deps.audit({ ...auditRecord(route, ctx, now, facts), decision, code });
    throw error;
  }
};

/** POST /token: one role, named or implied, issued for the verified subject. */
export const createTokenExchange = (deps: ExchangeDeps) => async (request: TokenRequest, ctx: RequestContext): Promise<Exchanged> => {
  const now = deps.now?.() ?? new Date();
  const facts: Facts = {};
  return audited(deps, '/token', ctx, now, facts, async () => {
    const identity = (facts.identity = await deps.verify({ ...request, endpoint: deps.endpoint }, now, facts));
    const role = request.roleId !== undefined || request.roleArn !== undefined ? { id: request.roleId, arn: request.roleArn } : undefined;
    const decision = (facts.decision = decideFor(deps.config, { identity, ctx, now, role, requestedSeconds: request.durationSeconds }));
    if (decision.outcome === 'deny') throw new BrokerError(decision.code, decision.detail);
    // With no role named, exactly one granted role is implied; several need a choice.
    const [granted, ...others] = decision.roles;
    if (!granted || others.length > 0) throw new BrokerError('ROLE_REQUIRED', `${decision.roles.length} roles granted`, { publicDetail: `Granted: ${decision.roles.map((r) => r.id).join(', ')}.` });
    const credentials = await deps.issue(granted, identity, now);
    deps.audit({ ...auditRecord('/token', ctx, now, facts), ...grantFields(granted, credentials) });
    return { role: granted, credentials };
  });
};

/** POST /roles: the roles this identity may assume, each with the longest session it could get. */
export const createRoleListing = (deps: ListingDeps) => async (request: Pick<TokenRequest, 'subjectToken' | 'kind' | 'proof'>, ctx: RequestContext): Promise<readonly RoleOutcome[]> => {
  const now = deps.now?.() ?? new Date();
  const facts: Facts = {};
  return audited(deps, '/roles', ctx, now, facts, async () => {
    const identity = (facts.identity = await deps.verify({ ...request, endpoint: deps.endpoint }, now, facts));
    const decision = (facts.decision = decideFor(deps.config, { identity, ctx, now, requestedSeconds: STS_MAXIMUM }));
    const roles = decision.outcome === 'grant' ? decision.roles : [];
    deps.audit({
      ...auditRecord('/roles', ctx, now, facts),
      decision: roles.length > 0 ? 'grant' : 'deny',
      code: decision.outcome === 'deny' ? decision.code : undefined,
    });
    return roles;
  });
};
