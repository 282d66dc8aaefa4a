// The audit record (docs/operations.md): one structured line per decision. It names who, what, which rule and
// which credentials (by AccessKeyId), and never carries a token, assertion, secret key, cookie or code.

import type { VerifiedIdentity } from '../identity/verified-identity.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import type { RequestContext } from '../request.ts';
import type { Decision, RoleOutcome } from '../rules/index.ts';
import { rfc3339 } from '../time.ts';
import { logger } from './logger.ts';

export interface AuditRecord {
  readonly time: string;
  readonly requestId: string;
  readonly sourceIp?: string | undefined;
  readonly route: string;
  readonly protocol?: 'saml' | 'oidc' | undefined;
  readonly provider?: string | undefined;
  readonly subject?: string | undefined;
  /** SAML assertion ID or JWT `jti`. */
  readonly tokenId?: string | undefined;
  readonly decision: 'grant' | 'deny' | 'error';
  readonly code?: string | undefined;
  readonly ruleIds: readonly string[];
  /** The role instance's id (`readonly@payments-prod`; the ARN of an IdP-asserted role). */
  readonly roleId?: string | undefined;
  readonly roleArn?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly durationBoundBy?: string | undefined;
  readonly expiration?: string | undefined;
  readonly accessKeyId?: string | undefined;
  /** The broker session (CLI sign-in) created, used, refused or revoked — its id, never the token. */
  readonly sessionId?: string | undefined;
}

export type AuditSink = (record: AuditRecord) => void;

export const logAudit: AuditSink = (record) => logger.info('audit', { audit: record });

/** What is known when a record is written: the identity once verified, the decision once made. */
export interface AuditFacts {
  readonly identity?: VerifiedIdentity | undefined;
  readonly decision?: Decision | undefined;
  /** A broker session known before (or without) a verified identity: a refused session's id. */
  readonly sessionId?: string | undefined;
}

/** The ids of the rules that matched (allow and deny alike). */
export const matchedRuleIds = (decision: Decision): string[] => decision.trace.filter((t) => t.matched).map((t) => t.ruleId);

/**
 * The record every route starts from: request, identity (when verified) and the matching rules (when decided),
 * as a refusal; callers add the outcome (`grantFields`, or `decision` + `code`).
 */
export const auditRecord = (route: string, ctx: RequestContext, now: Date, facts: AuditFacts = {}): AuditRecord => ({
  time: now.toISOString(),
  requestId: ctx.requestId,
  sourceIp: ctx.sourceIp,
  route,
  protocol: facts.identity?.protocol,
  provider: facts.identity?.providerId,
  subject: facts.identity?.subject,
  tokenId: facts.identity?.tokenId,
  sessionId: facts.identity?.session?.id ?? facts.sessionId,
  decision: 'deny',
  ruleIds: facts.decision ? matchedRuleIds(facts.decision) : [],
});

/** The fields of a grant: which rule, which role and session, which credentials (by AccessKeyId only). */
export const grantFields = (role: RoleOutcome, credentials: AwsCredentials): Pick<AuditRecord, 'decision' | 'ruleIds' | 'roleId' | 'roleArn' | 'sessionName' | 'sourceIdentity' | 'durationSeconds' | 'durationBoundBy' | 'expiration' | 'accessKeyId'> => ({
  decision: 'grant',
  ruleIds: [role.ruleId],
  roleId: role.id,
  roleArn: role.arn,
  sessionName: role.session.name,
  sourceIdentity: role.session.sourceIdentity,
  durationSeconds: role.session.durationSeconds,
  durationBoundBy: role.session.durationBoundBy,
  expiration: rfc3339(credentials.expiration),
  accessKeyId: credentials.accessKeyId,
});
