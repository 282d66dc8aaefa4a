// docs/rules.md, rules: default deny, deny overrides allow, the providers filter, the first matching allow rule supplies
// `session`, a trace for every rule and condition, and the deny codes of decide().
import { describe, expect, it } from 'vitest';
import { DEFAULT_MFA, decide, decideRoles, evaluateRule, normaliseClaims, withBrokerKeys } from '../../../shared/rules/index.ts';
import type { Claims, DecideInput, Decision, Policy, RoleDef, Rule } from '../../../shared/rules/index.ts';

const ROLES: Readonly<Record<string, RoleDef>> = {
  readonly: { arn: 'arn:aws:iam::111122223333:role/ReadOnly', label: 'Read only', maxSessionSeconds: 43_200, issuance: 'web-identity' },
  admin: { arn: 'arn:aws:iam::111122223333:role/Admin', maxSessionSeconds: 43_200, issuance: 'assume-role' },
  billing: { arn: 'arn:aws:iam::444455556666:role/Billing', maxSessionSeconds: 7200, issuance: 'web-identity' },
};

const TIME = new Date('2025-06-01T12:00:00.000Z');

const identity = (raw: Record<string, unknown>, provider = 'okta', sourceIp = '203.0.113.9'): Claims =>
  withBrokerKeys(normaliseClaims(raw), { provider, protocol: 'oidc', sourceIp, time: TIME, mfa: DEFAULT_MFA });

const ALICE = identity({ sub: 'alice', email: 'alice@example.com', groups: ['eng', 'aws-admins'], amr: ['pwd', 'otp'] });

const policy = (...rules: Rule[]): Policy => ({ roles: ROLES, rules });

const run = (rules: Rule[], overrides: Partial<DecideInput> = {}): Decision =>
  decide({ policy: policy(...rules), provider: 'okta', claims: ALICE, defaultSeconds: 3600, ...overrides });

const grantedIds = (d: Decision): string[] => (d.outcome === 'grant' ? d.roles.map((r) => r.id) : []);

const allow = (id: string, roles: string[], extra: Partial<Rule> = {}): Rule => ({ id, effect: 'allow', roles, ...extra });
const deny = (id: string, roles: string[], extra: Partial<Rule> = {}): Rule => ({ id, effect: 'deny', roles, ...extra });

const NEVER = { StringEquals: { sub: 'nobody' } } as const;
const ADMINS = { 'ForAnyValue:StringEquals': { groups: 'aws-admins' } } as const;

describe('default deny', () => {
  it('no rules: NO_ROLE_GRANTED', () => {
    expect(run([])).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED' });
  });

  it('no allow rule matches: NO_ROLE_GRANTED', () => {
    expect(run([allow('a', ['readonly'], { conditions: NEVER })])).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED' });
  });

  it('a matching allow rule grants only the roles it lists', () => {
    expect(grantedIds(run([allow('a', ['readonly'])]))).toEqual(['readonly']);
  });

  it('an allow rule listing "*" grants every role', () => {
    expect(grantedIds(run([allow('a', ['*'])]))).toEqual(['readonly', 'admin', 'billing']);
  });

  it('a rule listing an unknown role grants nothing', () => {
    expect(run([allow('a', ['ghost'])])).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED' });
  });

  it('a matching deny rule alone grants nothing: NO_ROLE_GRANTED', () => {
    expect(run([deny('d', ['*'])])).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED' });
  });

  it('an allow rule whose conditions are partly true grants nothing', () => {
    const rule = allow('a', ['admin'], { conditions: { ...ADMINS, Bool: { 'broker:mfa': 'false' } } });
    expect(run([rule])).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED' });
  });
});

describe('deny overrides allow', () => {
  it.each([
    ['deny after allow', [allow('a', ['readonly', 'admin']), deny('d', ['admin'])]],
    ['deny before allow', [deny('d', ['admin']), allow('a', ['readonly', 'admin'])]],
    ['a deny with matching conditions', [allow('a', ['readonly', 'admin']), deny('d', ['admin'], { conditions: ADMINS })]],
  ])('%s removes the denied role only', (_name, rules) => {
    expect(grantedIds(run(rules))).toEqual(['readonly']);
  });

  it('a deny rule listing "*" removes every role: DENIED_BY_RULE', () => {
    expect(run([allow('a', ['*']), deny('d', ['*'])])).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
  });

  it('the only granted role denied: DENIED_BY_RULE', () => {
    expect(run([allow('a', ['admin']), deny('d', ['admin'])])).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
  });

  it('a deny rule whose conditions do not match removes nothing', () => {
    expect(grantedIds(run([allow('a', ['admin']), deny('d', ['admin'], { conditions: NEVER })]))).toEqual(['admin']);
  });

  it('a deny rule listing another role removes nothing', () => {
    expect(grantedIds(run([allow('a', ['admin']), deny('d', ['billing'])]))).toEqual(['admin']);
  });

  it('a deny rule overrides several allow rules for the same role', () => {
    expect(run([allow('a1', ['admin']), allow('a2', ['admin']), deny('d', ['admin'])])).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
  });

  it('decideRoles reports the roles a deny rule removed', () => {
    const d = decideRoles(policy(allow('a', ['*']), deny('d', ['admin', 'billing'])), 'okta', ALICE);
    expect(d.granted.map((g) => g.roleId)).toEqual(['readonly']);
    expect(d.denied).toEqual(['admin', 'billing']);
  });

  it('a deny on an MFA-less login (the classic use)', () => {
    const noMfa = identity({ sub: 'bob', groups: ['aws-admins'], amr: ['pwd'] });
    const rules = [allow('a', ['*'], { conditions: ADMINS }), deny('d', ['admin'], { conditions: { Bool: { 'broker:mfa': 'false' } } })];
    expect(grantedIds(run(rules, { claims: noMfa }))).toEqual(['readonly', 'billing']);
    expect(grantedIds(run(rules))).toEqual(['readonly', 'admin', 'billing']);
  });
});

describe('the providers filter', () => {
  it.each([
    ['no providers: every provider', undefined, 'okta', true],
    ['the identity provider is listed', ['entra', 'okta'], 'okta', true],
    ['another provider only', ['entra'], 'okta', false],
    ['an empty list matches nothing', [], 'okta', false],
    ['provider ids are case-sensitive', ['Okta'], 'okta', false],
  ] as const)('allow: %s', (_name, providers, provider, granted) => {
    const d = run([allow('a', ['readonly'], { providers })], { provider });
    expect(d.outcome).toBe(granted ? 'grant' : 'deny');
  });

  it('a deny rule for another provider does not apply', () => {
    expect(grantedIds(run([allow('a', ['admin']), deny('d', ['admin'], { providers: ['entra'] })]))).toEqual(['admin']);
  });

  it('a deny rule for this provider applies', () => {
    expect(run([allow('a', ['admin']), deny('d', ['admin'], { providers: ['okta'] })])).toMatchObject({ code: 'DENIED_BY_RULE' });
  });

  it('the decision uses the provider argument, not a claim', () => {
    const spoof = identity({ sub: 'alice' }, 'entra');
    expect(run([allow('a', ['admin'], { providers: ['okta'] })], { claims: spoof, provider: 'entra' }).outcome).toBe('deny');
  });

  it('a provider-excluded rule is traced with providerMatch false and no conditions evaluated', () => {
    const trace = evaluateRule(allow('a', ['admin'], { providers: ['entra'], conditions: ADMINS }), 'okta', ALICE);
    expect(trace).toMatchObject({ providerMatch: false, matched: false, conditions: [] });
  });
});

describe('the first matching allow rule in file order supplies session', () => {
  const first = allow('first', ['readonly'], { session: { name: 'first-${sub}' } });
  const second = allow('second', ['readonly', 'admin'], { session: { name: 'second-${sub}' } });

  it('two matching rules grant the same role: the first supplies the session', () => {
    const d = run([first, second], { role: { id: 'readonly' } });
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ id: 'readonly', ruleId: 'first', session: { name: 'first-alice' } }] });
  });

  it('file order, not specificity: swapping the rules swaps the session', () => {
    const d = run([second, first], { role: { id: 'readonly' } });
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ id: 'readonly', ruleId: 'second', session: { name: 'second-alice' } }] });
  });

  it('a first rule that does not match does not supply the session', () => {
    const d = run([{ ...first, conditions: NEVER }, second], { role: { id: 'readonly' } });
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ ruleId: 'second', session: { name: 'second-alice' } }] });
  });

  it('a first rule for another provider does not supply the session', () => {
    const d = run([{ ...first, providers: ['entra'] }, second], { role: { id: 'readonly' } });
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ ruleId: 'second' }] });
  });

  it('each role gets the session of the first rule that lists it', () => {
    const d = run([first, second]);
    expect(d).toMatchObject({
      outcome: 'grant',
      roles: [
        { id: 'readonly', ruleId: 'first', session: { name: 'first-alice' } },
        { id: 'admin', ruleId: 'second', session: { name: 'second-alice' } },
      ],
    });
  });

  it('the session duration comes from the supplying rule', () => {
    const d = run([allow('a', ['readonly'], { session: { maxSeconds: 1200 } }), allow('b', ['readonly'], { session: { maxSeconds: 2400 } })]);
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ session: { durationSeconds: 1200, durationBoundBy: 'rule' } }] });
  });
});

describe('the trace explains every rule and every condition', () => {
  const rules = [
    allow('r1', ['readonly'], { conditions: { StringEquals: { sub: 'bob', email: ['alice@example.com', 'x@example.com'] }, Bool: { 'broker:mfa': true } } }),
    allow('r2', ['admin'], { providers: ['entra'] }),
    deny('r3', ['billing'], { conditions: { StringLike: { groups: 'aws-*' } } }),
    allow('r4', ['billing'], { conditions: { NotIpAddress: { 'broker:sourceIp': '10.0.0.0/8' } } }),
  ];

  it('one trace per rule, in file order, with effect and roles', () => {
    const d = run(rules);
    expect(d.trace.map((t) => [t.ruleId, t.effect, t.roles])).toEqual([
      ['r1', 'allow', ['readonly']],
      ['r2', 'allow', ['admin']],
      ['r3', 'deny', ['billing']],
      ['r4', 'allow', ['billing']],
    ]);
  });

  it('matched and providerMatch for each rule', () => {
    expect(run(rules).trace.map((t) => [t.ruleId, t.providerMatch, t.matched])).toEqual([
      ['r1', true, false],
      ['r2', false, false],
      ['r3', true, true],
      ['r4', true, true],
    ]);
  });

  it('every condition is evaluated and traced, even after a false one', () => {
    expect(run(rules).trace[0]?.conditions).toEqual([
      { operator: 'StringEquals', key: 'sub', values: ['bob'], claimValues: ['alice'], result: false },
      { operator: 'StringEquals', key: 'email', values: ['alice@example.com', 'x@example.com'], claimValues: ['alice@example.com'], result: true },
      { operator: 'Bool', key: 'broker:mfa', values: ['true'], claimValues: ['true'], result: true },
    ]);
  });

  it('a condition on a missing claim is traced with no claim values', () => {
    const trace = evaluateRule(allow('r', ['x'], { conditions: { Null: { phone: 'true' } } }), 'okta', ALICE);
    expect(trace.conditions).toEqual([{ operator: 'Null', key: 'phone', values: ['true'], claimValues: [], result: true }]);
  });

  it('an unknown operator is traced as false and the rule does not match', () => {
    const trace = evaluateRule(allow('r', ['x'], { conditions: { StringRegex: { sub: '.*' } } }), 'okta', ALICE);
    expect(trace).toMatchObject({ matched: false, conditions: [{ operator: 'StringRegex', key: 'sub', result: false }] });
  });

  it('a deny decision carries the same trace', () => {
    const d = run([allow('r1', ['admin'], { conditions: NEVER })]);
    expect(d).toMatchObject({ outcome: 'deny', code: 'NO_ROLE_GRANTED', trace: [{ ruleId: 'r1', matched: false, conditions: [{ key: 'sub', result: false }] }] });
  });

  it('a rule without conditions is traced as matched with no conditions', () => {
    expect(run([allow('open', ['readonly'])]).trace).toEqual([
      { ruleId: 'open', effect: 'allow', roles: ['readonly'], providerMatch: true, matched: true, conditions: [] },
    ]);
  });
});

describe('requesting one role, by id or by ARN', () => {
  const rules = [allow('a', ['readonly', 'admin']), deny('d', ['admin'], { conditions: { Bool: { 'broker:mfa': 'false' } } })];

  it.each([
    ['by id', { id: 'readonly' }, 'readonly'],
    ['by ARN', { arn: 'arn:aws:iam::111122223333:role/ReadOnly' }, 'readonly'],
    ['by id and matching ARN', { id: 'admin', arn: 'arn:aws:iam::111122223333:role/Admin' }, 'admin'],
    ['by id with arn undefined', { id: 'admin', arn: undefined }, 'admin'],
  ])('%s grants exactly that role', (_name, role, expected) => {
    expect(grantedIds(run(rules, { role }))).toEqual([expected]);
  });

  it.each([
    ['an id no rule grants', { id: 'billing' }],
    ['an ARN no rule grants', { arn: 'arn:aws:iam::444455556666:role/Billing' }],
    ['an unknown id', { id: 'ghost' }],
    ['an unknown ARN', { arn: 'arn:aws:iam::999999999999:role/ReadOnly' }],
    ['an id and the ARN of another role', { id: 'readonly', arn: 'arn:aws:iam::111122223333:role/Admin' }],
    ['an ARN differing only in case', { arn: 'arn:aws:iam::111122223333:role/readonly' }],
    ['an id that is an Object.prototype member', { id: 'constructor' }],
  ])('%s: ROLE_NOT_GRANTED', (_name, role) => {
    expect(run(rules, { role })).toMatchObject({ outcome: 'deny', code: 'ROLE_NOT_GRANTED' });
  });

  it.each([
    ['by id', { id: 'admin' }],
    ['by ARN', { arn: 'arn:aws:iam::111122223333:role/Admin' }],
  ])('a requested role that a deny rule removes (%s): DENIED_BY_RULE', (_name, role) => {
    const noMfa = identity({ sub: 'bob', amr: ['pwd'] });
    expect(run(rules, { role, claims: noMfa })).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
  });

  it('a requested role is refused even when other roles are granted', () => {
    expect(run([allow('a', ['readonly'])], { role: { id: 'admin' } })).toMatchObject({ outcome: 'deny', code: 'ROLE_NOT_GRANTED' });
  });

  it('an empty role request ({}) means every granted role', () => {
    expect(grantedIds(run(rules, { role: {} }))).toEqual(['readonly', 'admin']);
  });

  it('the granted role carries its ARN, label, issuance and maximum', () => {
    expect(run(rules, { role: { id: 'readonly' } })).toMatchObject({
      outcome: 'grant',
      roles: [{ id: 'readonly', arn: ROLES.readonly!.arn, label: 'Read only', issuance: 'web-identity', maxSessionSeconds: 43_200, ruleId: 'a' }],
    });
  });
});

describe('unreadable claims: the identity is refused, deny rules never fail open', () => {
  const CONTRACTORS = { 'ForAnyValue:StringEquals': { groups: 'contractors' } } as const;

  it('refuses with CLAIM_UNREADABLE even when an allow rule matches and no deny rule does', () => {
    const d = run([deny('no-contractors', ['*'], { conditions: CONTRACTORS }), allow('a', ['readonly'])], { unreadableClaims: ['groups'] });
    expect(d).toMatchObject({ outcome: 'deny', code: 'CLAIM_UNREADABLE' });
  });

  it('refuses a requested role the same way', () => {
    expect(run([allow('a', ['readonly'])], { unreadableClaims: ['groups'], role: { id: 'readonly' } })).toMatchObject({ outcome: 'deny', code: 'CLAIM_UNREADABLE' });
  });

  it('keeps the trace and names the claims in its notes (for explain)', () => {
    const d = run([allow('a', ['readonly'])], { unreadableClaims: ['groups', 'team'] });
    expect(d.trace).toHaveLength(1);
    expect(d.notes).toEqual([expect.stringContaining('"groups"'), expect.stringContaining('"team"')]);
  });

  it('an empty list changes nothing', () => {
    expect(grantedIds(run([allow('a', ['readonly'])], { unreadableClaims: [] }))).toEqual(['readonly']);
  });
});

describe('session failures in decide()', () => {
  it.each([
    ['a missing claim in the name', { name: '${phone}' }, 'MISSING_CLAIM'],
    ['a multi-valued claim in the name', { name: '${groups}' }, 'MULTI_VALUED_CLAIM'],
    ['a missing claim in the source identity', { sourceIdentity: '${phone}' }, 'MISSING_CLAIM'],
    ['a multi-valued claim in the source identity', { sourceIdentity: '${groups}' }, 'MULTI_VALUED_CLAIM'],
    ['a one-character name', { name: 'x' }, 'SESSION_NAME_INVALID'],
    ['a one-character source identity', { sourceIdentity: 'x' }, 'SOURCE_IDENTITY_INVALID'],
    ['a session under 900 s', { maxSeconds: 600 }, 'SESSION_TOO_SHORT'],
  ] as const)('%s denies %s', (_name, session, code) => {
    expect(run([allow('a', ['readonly'], { session })])).toMatchObject({ outcome: 'deny', code });
  });

  it('a missing claim in a tag omits the tag and still grants', () => {
    const d = run([allow('a', ['readonly'], { session: { tags: { Phone: '${phone}', Team: '${groups}' } } })]);
    expect(d).toMatchObject({ outcome: 'grant', roles: [{ session: { tags: { Team: 'eng:aws-admins' } } }] });
    expect(d.outcome === 'grant' && Object.keys(d.roles[0]!.session.tags)).toEqual(['Team']);
  });

  it('one role failing its session does not take the others down, and the failure is noted', () => {
    const d = run([allow('a', ['readonly'], { session: { name: '${phone}' } }), allow('b', ['admin'])]);
    expect(grantedIds(d)).toEqual(['admin']);
    expect(d.notes.some((n) => n.includes('MISSING_CLAIM'))).toBe(true);
  });

  it('the IdP session bounds the duration through decide()', () => {
    expect(run([allow('a', ['readonly'])], { idpSecondsLeft: 600 })).toMatchObject({ outcome: 'deny', code: 'SESSION_TOO_SHORT' });
  });

  it('durationBoundBy: an assume-role role is role-chaining capped', () => {
    expect(run([allow('a', ['admin'])], { requestedSeconds: 7200 })).toMatchObject({
      outcome: 'grant',
      roles: [{ session: { durationSeconds: 3600, durationBoundBy: 'role-chaining' } }],
    });
  });

  it('durationBoundBy: the role maximum', () => {
    expect(run([allow('a', ['billing'])], { requestedSeconds: 10_000 })).toMatchObject({
      outcome: 'grant',
      roles: [{ session: { durationSeconds: 7200, durationBoundBy: 'role' } }],
    });
  });
});

describe('claims that try to steer the decision', () => {
  it('an IdP-supplied broker:mfa does not satisfy an MFA rule', () => {
    const claims = identity({ sub: 'mallory', 'broker:mfa': 'true', amr: ['pwd'] });
    expect(run([allow('a', ['admin'], { conditions: { Bool: { 'broker:mfa': 'true' } } })], { claims })).toMatchObject({ code: 'NO_ROLE_GRANTED' });
  });

  it('an IdP-supplied broker:sourceIp does not satisfy an IP rule', () => {
    const claims = identity({ sub: 'mallory', 'broker:sourceIp': '10.0.0.1' }, 'okta', '198.51.100.7');
    expect(run([allow('a', ['admin'], { conditions: { IpAddress: { 'broker:sourceIp': '10.0.0.0/8' } } })], { claims }).outcome).toBe('deny');
  });

  it('an IdP-supplied broker:provider does not satisfy a provider condition', () => {
    const claims = identity({ sub: 'mallory', 'broker:provider': 'corp' }, 'social');
    const rule = allow('a', ['admin'], { conditions: { StringEquals: { 'broker:provider': 'corp' } } });
    expect(run([rule], { claims, provider: 'social' }).outcome).toBe('deny');
  });

  it('a condition on a claim named __proto__ matches an own __proto__ claim', () => {
    const claims = identity(JSON.parse('{"sub": "alice", "__proto__": "admins"}') as Record<string, unknown>);
    const conditions = { StringEquals: JSON.parse('{"__proto__": "admins"}') as Record<string, string> };
    expect(grantedIds(run([allow('a', ['admin'], { conditions })], { claims }))).toEqual(['admin']);
  });

  it('a condition on __proto__ does not match when the identity has no such claim', () => {
    const conditions = { StringLike: JSON.parse('{"__proto__": "*"}') as Record<string, string> };
    expect(run([allow('a', ['admin'], { conditions })]).outcome).toBe('deny');
  });

  it.each([['constructor'], ['toString'], ['hasOwnProperty'], ['valueOf']])(
    'StringLike "*" on an absent claim named %s does not match',
    (name) => {
      expect(run([allow('a', ['admin'], { conditions: { StringLike: { [name]: '*' } } })]).outcome).toBe('deny');
    },
  );

  it('a claim value containing "*" does not act as a wildcard in a rule', () => {
    const claims = identity({ sub: 'mallory', groups: ['*'] });
    expect(run([allow('a', ['admin'], { conditions: { StringLike: { groups: 'aws-admins' } } })], { claims }).outcome).toBe('deny');
  });

  it('ForAllValues over a missing groups claim grants nothing', () => {
    const claims = identity({ sub: 'mallory' });
    expect(run([allow('a', ['admin'], { conditions: { 'ForAllValues:StringLike': { groups: 'aws-*' } } })], { claims }).outcome).toBe('deny');
  });

  it('a date window on broker:time uses the time passed in', () => {
    const rule = allow('a', ['admin'], {
      conditions: { DateGreaterThan: { 'broker:time': '2025-06-01T00:00:00Z' }, DateLessThan: { 'broker:time': '2025-06-02T00:00:00Z' } },
    });
    expect(run([rule]).outcome).toBe('grant');
    const later = withBrokerKeys(normaliseClaims({ sub: 'alice' }), { provider: 'okta', protocol: 'oidc', time: new Date('2025-06-02T00:00:00Z'), mfa: DEFAULT_MFA });
    expect(run([rule], { claims: later }).outcome).toBe('deny');
  });
});
