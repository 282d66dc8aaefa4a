// The audit record (SPEC §8): one structured line per decision. It names who, what, which rule and which
// credentials (by AccessKeyId), and never carries a token, assertion, secret key, cookie or code.

import type { AwsCredentials } from '../issuance/sts.ts';
import type { RoleOutcome } from '../rules/index.ts';
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
  readonly roleArn?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly durationBoundBy?: string | undefined;
  readonly expiration?: string | undefined;
  readonly accessKeyId?: string | undefined;
}

export type AuditSink = (record: AuditRecord) => void;

export const logAudit: AuditSink = (record) => logger.info('audit', { audit: record });

/** The fields of a grant: which rule, which role and session, which credentials (by AccessKeyId only). */
export const grantFields = (role: RoleOutcome, credentials: AwsCredentials): Pick<AuditRecord, 'decision' | 'ruleIds' | 'roleArn' | 'sessionName' | 'sourceIdentity' | 'durationSeconds' | 'durationBoundBy' | 'expiration' | 'accessKeyId'> => ({
  decision: 'grant',
  ruleIds: [role.ruleId],
  roleArn: role.arn,
  sessionName: role.session.name,
  sourceIdentity: role.session.sourceIdentity,
  durationSeconds: role.session.durationSeconds,
  durationBoundBy: role.session.durationBoundBy,
  expiration: credentials.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  accessKeyId: credentials.accessKeyId,
});
