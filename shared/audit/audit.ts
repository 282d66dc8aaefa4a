// The audit record (SPEC §8): one structured line per decision. It names who, what, which rule and which
// credentials (by AccessKeyId), and never carries a token, assertion, secret key, cookie or code.

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
