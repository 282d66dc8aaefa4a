// POST /token and POST /roles as a list of small steps: verify the subject token, build the claims, decide,
// pick the role, issue, audit. Every outcome — grant, refusal, failure — leaves exactly one audit record.
// Values in (the decoded request, the request context), values out (the issued credentials, the granted roles):
// the HTTP layer renders them.

import { auditRecord, grantFields, type AuditFacts, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { identityClaims } from '../identity/claims.ts';
import { idpSecondsLeft, type VerifiedIdentity } from '../identity/verified-identity.ts';
import type { CredentialIssuer } from '../issuance/issue.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import type { RequestContext } from '../request.ts';
import { decide, STS_MAXIMUM, type Decision, type RoleOutcome } from '../rules/index.ts';

export type SubjectTokenKind = 'jwt' | 'saml2';

/** The parameters of an RFC 8693 exchange the broker acts on. */
export interface TokenRequest {
  readonly subjectToken: string;
  readonly kind: SubjectTokenKind;
  /** Role ARN (`resource`). */
  readonly roleArn?: string | undefined;
  /** Role id (`audience`). */
  readonly roleId?: string | undefined;
  readonly durationSeconds?: number | undefined;
}

export type SubjectVerifier = (request: Pick<TokenRequest, 'subjectToken' | 'kind'>, now: Date) => Promise<VerifiedIdentity>;

export interface ListingDeps {
  readonly config: BrokerConfig;
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

interface DecideFor {
  readonly identity: VerifiedIdentity;
  readonly ctx: RequestContext;
  readonly now: Date;
  readonly role?: { readonly id?: string | undefined; readonly arn?: string | undefined } | undefined;
  readonly requestedSeconds?: number | undefined;
}

const decideFor = (config: BrokerConfig, input: DecideFor): Decision =>
  decide({
    policy: config.policy,
    provider: input.identity.providerId,
    claims: identityClaims(config, input.identity.providerId, input.identity.rawClaims, { sourceIp: input.ctx.sourceIp, time: input.now }),
    role: input.role,
    requestedSeconds: input.requestedSeconds,
    defaultSeconds: config.broker.defaultSessionSeconds,
    idpSecondsLeft: idpSecondsLeft(input.identity, input.now),
  });

/** Runs `body`, and on any failure writes the audit record of the refusal (with what was known) before rethrowing. */
const audited = async <T>(deps: ListingDeps, route: string, ctx: RequestContext, now: Date, facts: { -readonly [K in keyof AuditFacts]: AuditFacts[K] }, body: () => Promise<T>): Promise<T> => {
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
  const facts: { identity?: VerifiedIdentity; decision?: Decision } = {};
  return audited(deps, '/token', ctx, now, facts, async () => {
    const identity = (facts.identity = await deps.verify(request, now));
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
export const createRoleListing = (deps: ListingDeps) => async (request: Pick<TokenRequest, 'subjectToken' | 'kind'>, ctx: RequestContext): Promise<readonly RoleOutcome[]> => {
  const now = deps.now?.() ?? new Date();
  const facts: { identity?: VerifiedIdentity; decision?: Decision } = {};
  return audited(deps, '/roles', ctx, now, facts, async () => {
    const identity = (facts.identity = await deps.verify(request, now));
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
