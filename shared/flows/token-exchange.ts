// POST /token and POST /roles as a list of small steps: verify the subject token, build the claims, decide,
// pick the role, issue, audit. Every outcome — grant, refusal, failure — leaves exactly one audit record.

import { grantFields, type AuditRecord, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { RequestContext } from '../http/decode.ts';
import { identityInput } from '../identity/claims.ts';
import { decide, STS_MAXIMUM, type Decision, type RoleOutcome } from '../rules/index.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import type { VerifiedIdentity } from './identity.ts';
import { ISSUED_TOKEN_TYPE, type TokenRequest } from './token-request.ts';

export type SubjectVerifier = (request: TokenRequest, now: Date) => Promise<VerifiedIdentity>;
export type CredentialIssuer = (role: RoleOutcome, identity: VerifiedIdentity, now: Date) => Promise<AwsCredentials>;

export interface ListingDeps {
  readonly config: BrokerConfig;
  readonly verify: SubjectVerifier;
  readonly audit: AuditSink;
  readonly now?: () => Date;
}

export interface ExchangeDeps extends ListingDeps {
  readonly issue: CredentialIssuer;
}

export interface CredentialDocument {
  readonly Version: 1;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
  readonly RoleArn: string;
  readonly issued_token_type: string;
  readonly token_type: 'N_A';
  readonly expires_in: number;
}

/** RFC 3339 without fractions, as credential_process consumers expect. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const credentialDocument = (credentials: AwsCredentials, roleArn: string, now: Date): CredentialDocument => ({
  Version: 1,
  AccessKeyId: credentials.accessKeyId,
  SecretAccessKey: credentials.secretAccessKey,
  SessionToken: credentials.sessionToken,
  Expiration: rfc3339(credentials.expiration),
  RoleArn: roleArn,
  issued_token_type: ISSUED_TOKEN_TYPE,
  token_type: 'N_A',
  expires_in: Math.max(0, Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000)),
});

const matchedRuleIds = (decision: Decision): string[] => decision.trace.filter((t) => t.matched).map((t) => t.ruleId);

type Partial = { identity?: VerifiedIdentity; decision?: Decision };

const baseRecord = (route: string, ctx: RequestContext, now: Date, partial: Partial): AuditRecord => ({
  time: now.toISOString(),
  requestId: ctx.requestId,
  sourceIp: ctx.sourceIp,
  route,
  protocol: partial.identity?.protocol,
  provider: partial.identity?.providerId,
  subject: partial.identity?.subject,
  tokenId: partial.identity?.tokenId,
  decision: 'deny',
  ruleIds: partial.decision ? matchedRuleIds(partial.decision) : [],
});

const decideFor = (deps: ListingDeps, identity: VerifiedIdentity, ctx: RequestContext, now: Date, role: TokenRequest | undefined, requestedSeconds: number | undefined): Decision =>
  decide({
    policy: deps.config.policy,
    provider: identity.providerId,
    ...identityInput(deps.config, identity.providerId, identity.rawClaims, { sourceIp: ctx.sourceIp, time: now }),
    role: role ? { id: role.roleId, arn: role.roleArn } : undefined,
    requestedSeconds,
    defaultSeconds: deps.config.broker.defaultSessionSeconds,
    idpSecondsLeft: identity.idpSecondsLeft,
  });

/** Runs `body`, and on any failure writes the audit record of the refusal before rethrowing. */
const audited = async <T>(deps: ListingDeps, route: string, ctx: RequestContext, now: Date, partial: Partial, body: () => Promise<T>): Promise<T> => {
  try {
    return await body();
  } catch (error) {
    const code = error instanceof BrokerError ? error.code : 'INTERNAL';
    const decision = error instanceof BrokerError && error.status < 500 ? 'deny' : 'error';
    deps.audit({ ...baseRecord(route, ctx, now, partial), decision, code });
    throw error;
  }
};

export const createTokenExchange = (deps: ExchangeDeps) => async (request: TokenRequest, ctx: RequestContext): Promise<CredentialDocument> => {
  const now = deps.now?.() ?? new Date();
  const partial: Partial = {};
  return audited(deps, '/token', ctx, now, partial, async () => {
    const identity = await deps.verify(request, now);
    partial.identity = identity;
    const decision = decideFor(deps, identity, ctx, now, request, request.durationSeconds);
    partial.decision = decision;
    if (decision.outcome === 'deny') throw new BrokerError(decision.code, decision.detail);
    // With no role named, exactly one granted role is implied; several need a choice.
    if (decision.roles.length !== 1) throw new BrokerError('ROLE_REQUIRED', `${decision.roles.length} roles granted`, { publicDetail: `Granted: ${decision.roles.map((r) => r.id).join(', ')}.` });
    const role = decision.roles[0] as RoleOutcome;
    const credentials = await deps.issue(role, identity, now);
    deps.audit({ ...baseRecord('/token', ctx, now, partial), ...grantFields(role, credentials) });
    return credentialDocument(credentials, role.arn, now);
  });
};

export interface RoleListing {
  readonly roles: ReadonlyArray<{ readonly id: string; readonly arn: string; readonly label?: string | undefined; readonly maxSessionSeconds: number }>;
}

/** POST /roles: the roles this identity may assume, each with the longest session it could get. */
export const createRoleListing = (deps: ListingDeps) => async (request: TokenRequest, ctx: RequestContext): Promise<RoleListing> => {
  const now = deps.now?.() ?? new Date();
  const partial: Partial = {};
  return audited(deps, '/roles', ctx, now, partial, async () => {
    const identity = await deps.verify(request, now);
    partial.identity = identity;
    const decision = decideFor(deps, identity, ctx, now, undefined, STS_MAXIMUM);
    partial.decision = decision;
    const roles = decision.outcome === 'grant' ? decision.roles : [];
    deps.audit({
      ...baseRecord('/roles', ctx, now, partial),
      decision: roles.length > 0 ? 'grant' : 'deny',
      code: decision.outcome === 'deny' ? decision.code : undefined,
    });
    return { roles: roles.map((r) => ({ id: r.id, arn: r.arn, label: r.label, maxSessionSeconds: r.session.durationSeconds })) };
  });
};
