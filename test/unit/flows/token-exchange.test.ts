// POST /token and POST /roles as values: a verified identity in (a fake verifier), a role decided by the real rules
// engine over a real config, credentials out (a fake issuer), and exactly one audit record for every outcome.

import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../../shared/config/index.ts';
import { BrokerError } from '../../../shared/errors.ts';
import { createRoleListing, createTokenExchange, type SubjectVerifier, type TokenRequest } from '../../../shared/flows/token-exchange.ts';
import type { VerifiedIdentity } from '../../../shared/identity/verified-identity.ts';
import { ARNS, auditLog, CTX, fakeIssuer, FLOW_NOW, flowConfig, oidcIdentity } from '../../support/flows.ts';

let config: BrokerConfig;
beforeAll(async () => {
  config = await flowConfig();
});

const verifierOf = (identity: VerifiedIdentity | (() => Error)): SubjectVerifier & { readonly seen: Array<{ token: string; now: Date }> } => {
  const seen: Array<{ token: string; now: Date }> = [];
  return Object.assign(
    async (request: Pick<TokenRequest, 'subjectToken' | 'kind'>, now: Date) => {
      seen.push({ token: request.subjectToken, now });
      if (typeof identity === 'function') throw identity();
      return identity;
    },
    { seen },
  );
};

const request = (overrides: Partial<TokenRequest> = {}): TokenRequest => ({ subjectToken: 'subject.token.value', kind: 'jwt', ...overrides });

const exchangeWith = (identity: VerifiedIdentity | (() => Error), issuer = fakeIssuer()) => {
  const log = auditLog();
  const exchange = createTokenExchange({ config, endpoint: 'https://broker.example.com/token', verify: verifierOf(identity), issue: issuer.issue, audit: log.audit, now: () => FLOW_NOW });
  return { exchange, issuer, records: log.records };
};

const OPS = oidcIdentity({ email: 'olga@example.com', groups: ['ops'] }, { subject: 'olga' });

describe('createTokenExchange: grants', () => {
  it('issues the one granted role when none is named, and audits the grant once', async () => {
    const { exchange, issuer, records } = exchangeWith(OPS);
    const exchanged = await exchange(request(), CTX);
    expect(exchanged.role).toMatchObject({ id: 'ops', arn: ARNS.ops, ruleId: 'ops' });
    expect(exchanged.credentials).toBe(issuer.issued[0]);
    expect(issuer.calls).toHaveLength(1);
    expect(issuer.calls[0]).toMatchObject({ principal: { providerId: 'corp-oidc', subject: 'olga' }, now: FLOW_NOW });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/token', decision: 'grant', ruleIds: ['ops'], roleArn: ARNS.ops, accessKeyId: exchanged.credentials.accessKeyId, requestId: CTX.requestId });
  });

  it.each([
    ['by id (audience)', { roleId: 'web' }],
    ['by ARN (resource)', { roleArn: ARNS.web }],
    ['by id and ARN together', { roleId: 'web', roleArn: ARNS.web }],
  ])('issues the role named %s among several granted', async (_name, named) => {
    const { exchange, records } = exchangeWith(oidcIdentity());
    expect((await exchange(request(named), CTX)).role.id).toBe('web');
    expect(records.map((r) => r.decision)).toEqual(['grant']);
  });

  it('passes the requested duration to the session', async () => {
    const { exchange } = exchangeWith(oidcIdentity());
    expect((await exchange(request({ roleId: 'web', durationSeconds: 7200 }), CTX)).role.session).toMatchObject({ durationSeconds: 7200, durationBoundBy: 'requested' });
  });

  it("bounds the session by the IdP's own session end", async () => {
    const { exchange } = exchangeWith(oidcIdentity({}, { idpSessionEnd: FLOW_NOW.getTime() + 1800_000 }));
    expect((await exchange(request({ roleId: 'web', durationSeconds: 7200 }), CTX)).role.session).toMatchObject({ durationSeconds: 1800, durationBoundBy: 'idp-session' });
  });

  it('verifies the subject token it was given, at the flow’s clock', async () => {
    const verify = verifierOf(OPS);
    const exchange = createTokenExchange({ config, endpoint: 'https://broker.example.com/token', verify, issue: fakeIssuer().issue, audit: auditLog().audit, now: () => FLOW_NOW });
    await exchange(request({ subjectToken: 'the.token.given' }), CTX);
    expect(verify.seen).toEqual([{ token: 'the.token.given', now: FLOW_NOW }]);
  });
});

describe('createTokenExchange: refusals (exactly one audit record each, nothing issued)', () => {
  it.each([
    ['several roles granted and none named', 'ROLE_REQUIRED', oidcIdentity(), {}, 'deny', ['devs']],
    ['no rule matches', 'NO_ROLE_GRANTED', oidcIdentity({ groups: ['sales'] }), {}, 'deny', []],
    ['a deny rule matches', 'DENIED_BY_RULE', oidcIdentity({ groups: ['aws-dev', 'contractors'] }), {}, 'deny', ['no-contractors', 'devs']],
    ['the named role is not granted', 'ROLE_NOT_GRANTED', oidcIdentity(), { roleId: 'ops' }, 'deny', ['devs']],
    ['the named role is denied', 'DENIED_BY_RULE', oidcIdentity({ groups: ['ops', 'interns'] }), { roleId: 'ops' }, 'deny', ['ops', 'no-ops-for-interns']],
    ['the ARN names another role', 'ROLE_NOT_GRANTED', oidcIdentity(), { roleId: 'web', roleArn: ARNS.readonly }, 'deny', ['devs']],
    ['the session name claim is missing', 'MISSING_CLAIM', oidcIdentity({ email: undefined }), { roleId: 'readonly' }, 'deny', ['devs']],
    ['the IdP session ends in under 900 s', 'SESSION_TOO_SHORT', oidcIdentity({}, { idpSessionEnd: FLOW_NOW.getTime() + 600_000 }), { roleId: 'readonly' }, 'deny', ['devs']],
  ] as const)('%s → %s', async (_name, code, identity, named, decision, ruleIds) => {
    const { exchange, issuer, records } = exchangeWith(identity);
    await expect(exchange(request(named), CTX)).rejects.toMatchObject({ code });
    expect(issuer.calls).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/token', decision, code, ruleIds, provider: 'corp-oidc', subject: identity.subject, tokenId: identity.tokenId });
    expect(records[0]?.accessKeyId).toBeUndefined();
  });

  it('names the granted roles when one must be chosen (ids only)', async () => {
    const { exchange } = exchangeWith(oidcIdentity());
    await expect(exchange(request(), CTX)).rejects.toMatchObject({ code: 'ROLE_REQUIRED', publicDetail: 'Granted: readonly, web.' });
  });

  it.each([
    ['an invalid token (4xx)', 'TOKEN_EXPIRED', 'deny', () => new BrokerError('TOKEN_EXPIRED')],
    ['an IdP that cannot be reached (503)', 'IDP_UNAVAILABLE', 'error', () => new BrokerError('IDP_UNAVAILABLE')],
    ['an unexpected failure', 'INTERNAL', 'error', () => new Error('boom')],
  ] as const)('audits a verifier failure on %s as %s (%s), without identity, and rethrows it', async (_name, code, decision, failure) => {
    const { exchange, records } = exchangeWith(failure);
    const thrown = await exchange(request(), CTX).catch((error: unknown) => error);
    expect(thrown instanceof BrokerError ? thrown.code : 'INTERNAL').toBe(code);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/token', decision, code, ruleIds: [] });
    expect(records[0]?.provider).toBeUndefined();
    expect(records[0]?.subject).toBeUndefined();
  });

  it.each([
    ['STS refuses (4xx)', 'STS_REJECTED', 'deny'],
    ['STS cannot be reached (503)', 'STS_UNAVAILABLE', 'error'],
  ] as const)('audits an issuer failure where %s with the identity and the matching rules', async (_name, code, decision) => {
    const { exchange, records } = exchangeWith(OPS, fakeIssuer(() => new BrokerError(code)));
    await expect(exchange(request(), CTX)).rejects.toMatchObject({ code });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ decision, code, subject: 'olga', ruleIds: ['ops'] });
  });
});

describe('createRoleListing', () => {
  const listWith = (identity: VerifiedIdentity | (() => Error)) => {
    const log = auditLog();
    return { list: createRoleListing({ config, endpoint: 'https://broker.example.com/token', verify: verifierOf(identity), audit: log.audit, now: () => FLOW_NOW }), records: log.records };
  };

  it('lists every granted role with the longest session it could get, and audits one grant', async () => {
    const { list, records } = listWith(oidcIdentity());
    const roles = await list({ subjectToken: 't', kind: 'jwt' }, CTX);
    expect(roles.map((r) => [r.id, r.session.durationSeconds])).toEqual([
      ['readonly', 3600],
      ['web', 43_200],
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/roles', decision: 'grant', ruleIds: ['devs'] });
    expect(records[0]?.code).toBeUndefined();
  });

  it.each([
    ['no rule matches', oidcIdentity({ groups: ['sales'] }), 'NO_ROLE_GRANTED'],
    ['a deny rule matches', oidcIdentity({ groups: ['aws-dev', 'contractors'] }), 'DENIED_BY_RULE'],
  ])('answers an empty list when %s, audited as a denial with its code', async (_name, identity, code) => {
    const { list, records } = listWith(identity);
    expect(await list({ subjectToken: 't', kind: 'jwt' }, CTX)).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/roles', decision: 'deny', code });
  });

  it('audits a verifier failure once and rethrows it', async () => {
    const { list, records } = listWith(() => new BrokerError('SIGNATURE_INVALID'));
    await expect(list({ subjectToken: 't', kind: 'jwt' }, CTX)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ route: '/roles', decision: 'deny', code: 'SIGNATURE_INVALID' });
  });
});
