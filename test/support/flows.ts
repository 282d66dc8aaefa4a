// What the flow tests give the flows: a real config (parsed by shared/config), verified identities, and fakes that
// record what they were asked — the credential issuer, the console federation endpoint, the audit sink.

import type { AuditRecord, AuditSink } from '../../shared/audit/audit.ts';
import type { BrokerConfig } from '../../shared/config/index.ts';
import type { VerifiedIdentity } from '../../shared/identity/verified-identity.ts';
import type { ConsoleFederation } from '../../shared/issuance/console.ts';
import type { CredentialIssuer, Principal } from '../../shared/issuance/issue.ts';
import type { AwsCredentials } from '../../shared/issuance/sts.ts';
import type { RequestContext } from '../../shared/request.ts';
import type { RoleOutcome } from '../../shared/rules/index.ts';
import { createSealer, sealingSecretOf, type Sealer, type SealerOptions } from '../../shared/stores/seal.ts';
import { configFrom } from './config.ts';

/** A fixed instant: nothing in the flow tests reads the wall clock. */
export const FLOW_NOW = new Date('2026-11-22T12:00:00Z');
export const BASE_URL = 'https://broker.example.com';
export const ARNS = {
  readonly: 'arn:aws:iam::111122223333:role/ReadOnly',
  web: 'arn:aws:iam::111122223333:role/WebIdentity',
  ops: 'arn:aws:iam::444455556666:role/Ops',
} as const;
export const EMAIL_ATTR = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
export const GROUPS_ATTR = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
export const CTX: RequestContext = { requestId: 'req-flow-1', sourceIp: '203.0.113.7', userAgent: 'unit' };

/**
 * Devs (group aws-dev) get readonly and web; ops (group ops) get ops; contractors get nothing (a deny rule on every
 * role); interns are denied ops. Session names come from the email claim.
 */
export const flowConfigDocument = (): Record<string, unknown> => ({
  version: 1,
  broker: { baseUrl: BASE_URL, defaultSessionSeconds: 3600 },
  providers: {
    'corp-oidc': { type: 'oidc', issuer: 'https://idp.example.com', clientId: 'broker' },
    'corp-saml': { type: 'saml', metadataXml: '<EntityDescriptor/>', allowIdpInitiated: true, claims: { email: EMAIL_ATTR, groups: GROUPS_ATTR } },
    'other-saml': { type: 'saml', metadataXml: '<EntityDescriptor/>', claims: { email: EMAIL_ATTR, groups: GROUPS_ATTR } },
  },
  roles: {
    readonly: { arn: ARNS.readonly, label: 'Read only', maxSessionSeconds: 3600 },
    web: { arn: ARNS.web, maxSessionSeconds: 43_200, issuance: 'web-identity' },
    ops: { arn: ARNS.ops, maxSessionSeconds: 3600 },
  },
  rules: [
    { id: 'no-contractors', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
    { id: 'devs', roles: ['readonly', 'web'], conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] } }, session: { name: '${email}', sourceIdentity: '${email}' } },
    { id: 'ops', roles: ['ops'], conditions: { 'ForAnyValue:StringEquals': { groups: ['ops'] } }, session: { name: '${email}' } },
    { id: 'no-ops-for-interns', effect: 'deny', roles: ['ops'], conditions: { 'ForAnyValue:StringEquals': { groups: ['interns'] } } },
  ],
});

export const flowConfig = (): Promise<BrokerConfig> => configFrom(flowConfigDocument());

/** An identity as the OIDC verifier hands it over. */
export const oidcIdentity = (claims: Record<string, unknown> = {}, overrides: Partial<VerifiedIdentity> = {}): VerifiedIdentity => ({
  providerId: 'corp-oidc',
  protocol: 'oidc',
  subject: 'alice',
  tokenId: 'jti-alice-1',
  rawClaims: { sub: 'alice', email: 'alice@example.com', groups: ['aws-dev'], ...claims },
  ...overrides,
});

export const SEALING_SECRET = 'flow-tests-sealing-secret-0123456789abcdef';

export const sealerOf = <T>(options: SealerOptions<T>, secret = SEALING_SECRET): Sealer<T> => {
  const usable = sealingSecretOf(secret);
  if (!usable) throw new Error('test sealing secret too short');
  return createSealer(usable, options);
};

/** Audit records written by a flow, in order. */
export const auditLog = (): { readonly records: AuditRecord[]; readonly audit: AuditSink } => {
  const records: AuditRecord[] = [];
  return { records, audit: (record) => void records.push(record) };
};

export interface IssueCall {
  readonly role: RoleOutcome;
  readonly principal: Principal;
  readonly now: Date;
}

/** An issuer that hands out numbered fake credentials (or fails with `failWith`), recording every call. */
export const fakeIssuer = (failWith?: () => Error): { readonly issue: CredentialIssuer; readonly calls: IssueCall[]; readonly issued: AwsCredentials[] } => {
  const calls: IssueCall[] = [];
  const issued: AwsCredentials[] = [];
  const issue: CredentialIssuer = async (role, principal, now) => {
    calls.push({ role, principal, now });
    if (failWith) throw failWith();
    const n = issued.length + 1;
    const credentials = {
      accessKeyId: `ASIAFLOW${String(n).padStart(8, '0')}`,
      secretAccessKey: `flow-secret-${n}`,
      sessionToken: `flow-session-token-${n}`,
      expiration: new Date(now.getTime() + role.session.durationSeconds * 1000),
    };
    issued.push(credentials);
    return credentials;
  };
  return { issue, calls, issued };
};

export type LoginUrlCall = Parameters<ConsoleFederation['loginUrl']>;

/** The console federation endpoint, answering a fixed login URL and recording what it was asked. */
export const fakeFederation = (): { readonly federation: ConsoleFederation; readonly calls: LoginUrlCall[] } => {
  const calls: LoginUrlCall[] = [];
  return {
    calls,
    federation: {
      loginUrl: async (...args) => {
        calls.push(args);
        return `https://signin.aws.amazon.com/federation?Action=login&SigninToken=fake-${calls.length}`;
      },
    },
  };
};

/** A clock the test moves. */
export const clock = (start = FLOW_NOW): { now: () => Date; advance: (seconds: number) => void } => {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (seconds) => void (t += seconds * 1000) };
};
