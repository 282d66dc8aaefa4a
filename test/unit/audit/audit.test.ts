// The audit record: who (provider, subject, token id), which request, which rules matched, and for a grant which
// role, session and credentials — the credentials by AccessKeyId only. Never a token, claim set, secret key or
// session token.

import { beforeAll, describe, expect, it } from 'vitest';
import { auditRecord, grantFields, matchedRuleIds } from '../../../shared/audit/audit.ts';
import type { BrokerConfig } from '../../../shared/config/index.ts';
import { identityClaims } from '../../../shared/identity/rules-input.ts';
import type { VerifiedIdentity } from '../../../shared/identity/verified-identity.ts';
import type { AwsCredentials } from '../../../shared/issuance/sts.ts';
import { decide, type Decision, type RoleOutcome } from '../../../shared/rules/index.ts';
import { CTX, FLOW_NOW, flowConfig, oidcIdentity } from '../../support/flows.ts';

let config: BrokerConfig;
beforeAll(async () => {
  config = await flowConfig();
});

const decisionFor = (identity: VerifiedIdentity, role?: string): Decision =>
  decide({
    policy: config.policy,
    provider: identity.providerId,
    claims: identityClaims(config, identity.providerId, identity.rawClaims, { time: FLOW_NOW }),
    role: role === undefined ? undefined : { id: role },
    defaultSeconds: 3600,
  });

const grantedRole = (decision: Decision): RoleOutcome => {
  if (decision.outcome !== 'grant' || !decision.roles[0]) throw new Error('expected a grant');
  return decision.roles[0];
};

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'ASIAAUDIT00000001',
  secretAccessKey: 'audit-secret-access-key',
  sessionToken: 'audit-session-token',
  expiration: new Date('2026-11-22T13:00:00.123Z'),
};

describe('matchedRuleIds', () => {
  it('lists every rule that matched, allow and deny alike, in file order', () => {
    expect(matchedRuleIds(decisionFor(oidcIdentity({ groups: ['aws-dev', 'contractors', 'ops'] })))).toEqual(['no-contractors', 'devs', 'ops']);
  });

  it('is empty when nothing matched', () => {
    expect(matchedRuleIds(decisionFor(oidcIdentity({ groups: ['sales'] })))).toEqual([]);
  });
});

describe('auditRecord', () => {
  it('names the request, and starts as a refusal with no rule', () => {
    expect(auditRecord('/token', CTX, FLOW_NOW)).toEqual({
      time: '2026-11-22T12:00:00.000Z',
      requestId: CTX.requestId,
      sourceIp: CTX.sourceIp,
      route: '/token',
      protocol: undefined,
      provider: undefined,
      subject: undefined,
      tokenId: undefined,
      decision: 'deny',
      ruleIds: [],
    });
  });

  it('names the verified identity (protocol, provider, subject, token id) and the rules that matched', () => {
    const identity = oidcIdentity({ groups: ['aws-dev', 'contractors'] });
    const record = auditRecord('/roles', CTX, FLOW_NOW, { identity, decision: decisionFor(identity) });
    expect(record).toMatchObject({ protocol: 'oidc', provider: 'corp-oidc', subject: 'alice', tokenId: 'jti-alice-1', ruleIds: ['no-contractors', 'devs'] });
  });

  it('carries no claim of the identity beyond its subject', () => {
    const identity = oidcIdentity({ email: 'alice-private@example.com', groups: ['aws-dev', 'secret-project-x'], phone: '+1 555 0100' });
    const text = JSON.stringify(auditRecord('/token', CTX, FLOW_NOW, { identity, decision: decisionFor(identity) }));
    expect(text).not.toMatch(/alice-private|secret-project-x|555 0100/);
  });
});

describe('grantFields', () => {
  it('names the rule, role, session and duration, and the credentials by AccessKeyId', () => {
    const role = grantedRole(decisionFor(oidcIdentity(), 'readonly'));
    expect(grantFields(role, CREDENTIALS)).toEqual({
      decision: 'grant',
      ruleIds: ['devs'],
      roleId: 'readonly',
      roleArn: role.arn,
      sessionName: 'alice@example.com',
      sourceIdentity: 'alice@example.com',
      durationSeconds: 3600,
      durationBoundBy: role.session.durationBoundBy,
      expiration: '2026-11-22T13:00:00Z',
      accessKeyId: 'ASIAAUDIT00000001',
    });
  });

  it('never carries the secret access key or the session token, nor the session tags', () => {
    const role = grantedRole(decisionFor(oidcIdentity(), 'readonly'));
    const tagged: RoleOutcome = { ...role, session: { ...role.session, tags: { Team: 'tag-value-secretish' } } };
    const record = { ...auditRecord('/token', CTX, FLOW_NOW, { identity: oidcIdentity() }), ...grantFields(tagged, CREDENTIALS) };
    const text = JSON.stringify(record);
    expect(text).not.toContain(CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(CREDENTIALS.sessionToken);
    expect(text).not.toContain('tag-value-secretish');
    expect(record.decision).toBe('grant');
  });
});
