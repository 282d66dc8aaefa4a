// Many accounts in the engine (docs/accounts.md, docs/rules.md): role instances with target keys, `roles:` patterns
// `role@account`, policy variables in condition values, deny overriding allow per role instance, roles asked for
// by their new ids, asserted roles, and the trace collapsed per rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertedRoleArn,
  assertedRoles,
  decide,
  DEFAULT_MFA,
  normaliseClaims,
  withBrokerKeys,
  type Account,
  type Claims,
  type DecideInput,
  type Decision,
  type Policy,
  type RoleDef,
  type Rule,
} from '../../../shared/rules/index.ts';

const account = (name: string, id: string, tags: Record<string, string>, label?: string): Account => ({ id, name, label, tags });
const PROD = account('payments-prod', '111122223333', { team: 'payments', env: 'prod' }, 'Payments production');
const DEV = account('payments-dev', '444455556666', { team: 'payments', env: 'dev' }, 'Payments development');
const SEARCH = account('search-dev', '777788889999', { team: 'search', env: 'dev' });
const ACCOUNTS = [PROD, DEV, SEARCH];

/** What the config's expansion gives: one instance per account of each template, then plain roles. */
const instance = (template: string, a: Account, extra: Partial<RoleDef> = {}): [string, RoleDef] => [
  `${template}@${a.name}`,
  { arn: `arn:aws:iam::${a.id}:role/${template}`, label: template, maxSessionSeconds: 3600, issuance: 'assume-role', role: template, account: a, ...extra },
];
const ROLES: Record<string, RoleDef> = Object.fromEntries([
  ...ACCOUNTS.map((a) => instance('readonly', a)),
  ...ACCOUNTS.map((a) => instance('admin', a)),
  ['legacy', { arn: 'arn:aws:iam::111122223333:role/Legacy', maxSessionSeconds: 3600, issuance: 'assume-role', account: PROD }],
  ['outside', { arn: 'arn:aws:iam::999999999999:role/Outside', maxSessionSeconds: 3600, issuance: 'assume-role' }],
]);

const TIME = new Date('2026-12-07T12:00:00Z');
const identity = (raw: Record<string, unknown>): Claims => withBrokerKeys(normaliseClaims(raw), { provider: 'corp', protocol: 'saml', time: TIME, mfa: DEFAULT_MFA });
const ALICE = identity({ sub: 'alice', team: 'payments', groups: ['eng'] });

const allow = (id: string, roles: string[], conditions?: Rule['conditions']): Rule => ({ id, effect: 'allow', roles, conditions });
const deny = (id: string, roles: string[], conditions?: Rule['conditions']): Rule => ({ id, effect: 'deny', roles, conditions });

const run = (rules: Rule[], overrides: Partial<DecideInput> = {}): Decision => {
  const policy: Policy = { roles: ROLES, rules };
  return decide({ policy, provider: 'corp', claims: ALICE, defaultSeconds: 3600, ...overrides });
};
const granted = (d: Decision): string[] => (d.outcome === 'grant' ? d.roles.map((r) => r.id) : []);

describe('roles: patterns name role instances', () => {
  it.each([
    ['readonly@*', ['readonly@payments-prod', 'readonly@payments-dev', 'readonly@search-dev']],
    ['*@payments-*', ['readonly@payments-prod', 'readonly@payments-dev', 'admin@payments-prod', 'admin@payments-dev', 'legacy']],
    ['readonly@payments-prod', ['readonly@payments-prod']],
    ['admin@????????-dev', ['admin@payments-dev']],
    ['*@*', Object.keys(ROLES)],
    ['*', Object.keys(ROLES)],
    ['legacy', ['legacy']],
    ['legacy@payments-prod', ['legacy']],
    ['readonly', []],
    ['readonly@nowhere', []],
    ['outside@*', ['outside']],
  ])('%s', (pattern, expected) => {
    expect(granted(run([allow('a', [pattern])]))).toEqual(expected);
  });

  it('a plain role in no known account matches an account part only when it is all wildcards', () => {
    expect(granted(run([allow('a', ['outside@?*'])]))).toEqual([]);
  });
});

describe('target keys, per role instance', () => {
  it.each([
    ['broker:account', { StringEquals: { 'broker:account': '444455556666' } }, ['readonly@payments-dev', 'admin@payments-dev']],
    ['broker:account:name', { StringLike: { 'broker:account:name': '*-dev' } }, ['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev']],
    ['broker:account:tag/env', { StringEquals: { 'broker:account:tag/env': ['dev'] } }, ['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev']],
    ['broker:role', { StringEquals: { 'broker:role': 'admin' } }, ['admin@payments-prod', 'admin@payments-dev', 'admin@search-dev']],
    ['broker:role of a plain role is its id', { StringEquals: { 'broker:role': 'legacy' } }, ['legacy']],
    ['a plain role whose ARN names a known account has its tags', { StringEquals: { 'broker:account:tag/env': 'prod' } }, ['readonly@payments-prod', 'admin@payments-prod', 'legacy']],
    ['a missing tag matches no positive operator', { StringLike: { 'broker:account:tag/owner': '*' } }, []],
    ['a missing account makes a negated operator true', { StringNotEquals: { 'broker:account:tag/env': 'prod' } }, ['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev', 'outside']],
    ['Null on a missing account', { Null: { 'broker:account': 'true' } }, ['outside']],
  ] as const)('%s', (_name, conditions, expected) => {
    expect(granted(run([allow('a', ['*'], conditions)]))).toEqual(expected);
  });

  it('identity and target conditions AND together', () => {
    const rule = allow('a', ['readonly@*'], { StringEquals: { 'broker:account:tag/env': 'dev' }, 'ForAnyValue:StringEquals': { groups: 'eng' } });
    expect(granted(run([rule]))).toEqual(['readonly@payments-dev', 'readonly@search-dev']);
    expect(granted(run([rule], { claims: identity({ sub: 'bob', groups: ['sales'] }) }))).toEqual([]);
  });

  it('a claim named like a target key is not the target key (broker: claims are dropped)', () => {
    const claims = identity({ sub: 'mallory', 'broker:account:tag/env': 'dev', 'broker:role': 'admin' });
    expect(granted(run([allow('a', ['*'], { StringEquals: { 'broker:account:tag/env': 'dev' } })], { claims }))).toEqual(['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev']);
  });
});

describe('deny overrides allow, per role instance', () => {
  const rules = [allow('all', ['*@*']), deny('no-prod', ['*@*'], { StringEquals: { 'broker:account:tag/env': 'prod' } })];

  it('removes exactly the denied instances', () => {
    expect(granted(run(rules))).toEqual(['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev', 'outside']);
  });

  it('names each denied instance and its deny rule', () => {
    expect(run(rules).denied).toEqual([
      { id: 'readonly@payments-prod', ruleId: 'no-prod' },
      { id: 'admin@payments-prod', ruleId: 'no-prod' },
      { id: 'legacy', ruleId: 'no-prod' },
    ]);
  });

  it('a denied instance asked for: DENIED_BY_RULE; another instance of the same template: granted', () => {
    expect(run(rules, { role: { id: 'readonly@payments-prod' } })).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
    expect(granted(run(rules, { role: { id: 'readonly@payments-dev' } }))).toEqual(['readonly@payments-dev']);
  });

  it('deny wherever it stands in the file', () => {
    expect(granted(run([...rules].reverse()))).toEqual(granted(run(rules)));
  });
});

describe('asking for one role instance', () => {
  const rules = [allow('all', ['*@*'])];

  it.each([
    ['by id', { id: 'admin@search-dev' }, ['admin@search-dev']],
    ['by ARN', { arn: 'arn:aws:iam::777788889999:role/admin' }, ['admin@search-dev']],
    ['by id and its ARN', { id: 'admin@search-dev', arn: 'arn:aws:iam::777788889999:role/admin' }, ['admin@search-dev']],
  ])('%s', (_name, role, expected) => {
    expect(granted(run(rules, { role }))).toEqual(expected);
  });

  it.each([
    ['an unknown account', { id: 'admin@nowhere' }],
    ['an unknown role', { id: 'ghost@search-dev' }],
    ['the template without an account', { id: 'admin' }],
    ['an id and the ARN of another instance', { id: 'admin@search-dev', arn: 'arn:aws:iam::111122223333:role/admin' }],
    ['a pattern as the id', { id: 'admin@*' }],
  ])('%s: ROLE_NOT_GRANTED', (_name, role) => {
    expect(run(rules, { role })).toMatchObject({ outcome: 'deny', code: 'ROLE_NOT_GRANTED' });
  });

  it('carries the account it is in', () => {
    expect(run(rules, { role: { id: 'readonly@payments-dev' } })).toMatchObject({ outcome: 'grant', roles: [{ id: 'readonly@payments-dev', account: { id: '444455556666', name: 'payments-dev', label: 'Payments development' } }] });
  });
});

describe('policy variables in condition values', () => {
  const byTeam = (value: string | string[], operator = 'StringEquals'): Rule => allow('team', ['readonly@*'], { [operator]: { 'broker:account:tag/team': value } });

  it("the identity's claim value stands in for ${claim}", () => {
    expect(granted(run([byTeam('${team}')]))).toEqual(['readonly@payments-prod', 'readonly@payments-dev']);
  });

  it('each value of a multi-valued claim is an alternative', () => {
    expect(granted(run([byTeam('${team}')], { claims: identity({ sub: 'alice', team: ['search', 'payments'] }) }))).toEqual(['readonly@payments-prod', 'readonly@payments-dev', 'readonly@search-dev']);
  });

  it('text around the variable is kept, with its wildcards (StringLike)', () => {
    const rule = allow('a', ['readonly@*'], { StringLike: { 'broker:account:name': '${team}-*' } });
    expect(granted(run([rule]))).toEqual(['readonly@payments-prod', 'readonly@payments-dev']);
  });

  it.each([
    ['a missing claim: the value matches nothing', 'StringEquals', { sub: 'alice' }, []],
    ['a missing claim: a negated operator is false too (no value left)', 'StringNotEquals', { sub: 'alice' }, []],
    ['the claim present: the negated operator holds for the other accounts', 'StringNotEquals', { sub: 'alice', team: 'payments' }, ['readonly@search-dev']],
    ['"*" in the claim is literal in StringLike', 'StringLike', { sub: 'alice', team: '*' }, []],
    ['"?" in the claim is literal in StringLike', 'StringLike', { sub: 'alice', team: 'paym?nts' }, []],
    ['"${…}" in the claim is not expanded again', 'StringEquals', { sub: 'alice', team: '${other}', other: 'payments' }, []],
    ['a claim value naming another account does not reach it', 'StringEquals', { sub: 'alice', team: 'search-dev' }, []],
    ['a case-variant claim does not match StringEquals', 'StringEquals', { sub: 'alice', team: 'Payments' }, []],
    ['a case-variant claim matches StringEqualsIgnoreCase', 'StringEqualsIgnoreCase', { sub: 'alice', team: 'PAYMENTS' }, ['readonly@payments-prod', 'readonly@payments-dev']],
  ])('%s', (_name, operator, raw, expected) => {
    expect(granted(run([byTeam('${team}', operator)], { claims: identity(raw) }))).toEqual(expected);
  });

  it('a missing claim removes only its own value; the others still count', () => {
    expect(granted(run([byTeam(['${nothing}', 'search'])]))).toEqual(['readonly@search-dev']);
  });

  it('$${ is a literal ${', () => {
    const tagged: Record<string, RoleDef> = { x: { arn: 'arn:aws:iam::111122223333:role/X', maxSessionSeconds: 3600, issuance: 'assume-role', account: account('odd', '111122223333', { team: '${team}' }) } };
    const policy: Policy = { roles: tagged, rules: [byTeam('$${team}')].map((r) => ({ ...r, roles: ['*'] })) };
    expect(granted(decide({ policy, provider: 'corp', claims: ALICE, defaultSeconds: 3600 }))).toEqual(['x']);
  });

  it('works on claim keys too (identity conditions)', () => {
    const rule = allow('a', ['legacy'], { StringEquals: { groups: '${team}-admins' } });
    expect(granted(run([rule], { claims: identity({ sub: 'alice', team: 'payments', groups: ['payments-admins'] }) }))).toEqual(['legacy']);
    expect(granted(run([rule], { claims: identity({ sub: 'alice', team: 'search', groups: ['payments-admins'] }) }))).toEqual([]);
  });

  it('too many alternatives refuse the identity (CLAIM_UNREADABLE), never a silently shortened list', () => {
    const many = Array.from({ length: 100 }, (_, i) => `g${i}`);
    const d = run([allow('a', ['*'], { StringEquals: { 'broker:account:name': '${groups}-${groups}' } })], { claims: identity({ sub: 'alice', groups: many }) });
    expect(d).toMatchObject({ outcome: 'deny', code: 'CLAIM_UNREADABLE' });
  });

  it('the trace shows the values after substitution', () => {
    const [trace] = run([byTeam('${team}')]).trace;
    expect(trace?.conditions[0]).toMatchObject({ key: 'broker:account:tag/team', values: ['${team}'], substituted: ['payments'], result: true, target: { evaluated: 3, held: 2, heldValues: ['payments'] } });
  });
});

describe('the trace is collapsed per rule', () => {
  it('names how many roles a rule listed and matched, with a few ids', () => {
    const d = run([allow('dev', ['*@*'], { StringEquals: { 'broker:account:tag/env': 'dev' } })]);
    expect(d.trace).toHaveLength(1);
    expect(d.trace[0]?.instances).toEqual({ listed: 8, matched: 4, sample: ['readonly@payments-dev', 'readonly@search-dev', 'admin@payments-dev', 'admin@search-dev'] });
  });

  it('a rule whose identity conditions fail is not evaluated per role', () => {
    const d = run([allow('x', ['*@*'], { StringEquals: { sub: 'nobody', 'broker:account:tag/env': 'dev' } })]);
    expect(d.trace[0]).toMatchObject({ matched: false, conditions: [{ key: 'sub', result: false }, { key: 'broker:account:tag/env', result: false }] });
    expect(d.trace[0]?.conditions[1]).not.toHaveProperty('target');
    expect(d.trace[0]?.instances).toBeUndefined();
  });

  it('with one role asked for, the target values are that role’s', () => {
    const d = run([allow('dev', ['*@*'], { StringEquals: { 'broker:account:tag/env': 'dev' } })], { role: { id: 'admin@payments-prod' } });
    expect(d.trace[0]).toMatchObject({ matched: false, instances: { listed: 1, matched: 0 }, conditions: [{ claimValues: ['prod'], result: false }] });
  });
});

describe('session values are built once for roles that share them', () => {
  it('every granted instance of one rule carries the same session', () => {
    const rule = { ...allow('all', ['readonly@*']), session: { name: '${sub}', tags: { Team: '${team}' } } };
    const d = run([rule]);
    expect(d.outcome === 'grant' && d.roles.map((r) => r.session)).toEqual(Array(3).fill({ name: 'alice', sourceIdentity: undefined, tags: { Team: 'payments' }, transitiveTags: [], policyArns: [], policy: undefined, durationSeconds: 3600, durationBoundBy: 'default' }));
  });

  it('a note about many roles is made once, naming a few and counting the rest', () => {
    const many: Record<string, RoleDef> = Object.fromEntries(Array.from({ length: 12 }, (_, i) => instance('readonly', account(`a${i}`, String(100_000_000_000 + i), {}))));
    const rule = { ...allow('all', ['*@*']), session: { name: 'j\u00fcrgen' } };
    const d = decide({ policy: { roles: many, rules: [rule] }, provider: 'corp', claims: ALICE, defaultSeconds: 3600 });
    expect(d.notes).toEqual([expect.stringMatching(/^roles readonly@a0, readonly@a1, .*readonly@a7 and 4 more: session name made legal/)]);
  });
});

describe('asserted roles (the AWS SAML Role attribute)', () => {
  const SAML_PROVIDER = 'arn:aws:iam::111122223333:saml-provider/Okta';
  const ROLE = 'arn:aws:iam::111122223333:role/Okta-ReadOnly';

  it.each([
    ['role,provider', `${ROLE},${SAML_PROVIDER}`, ROLE],
    ['provider,role', `${SAML_PROVIDER},${ROLE}`, ROLE],
    ['a plain role ARN', ROLE, ROLE],
    ['spaces around the parts', ` ${ROLE} , ${SAML_PROVIDER} `, ROLE],
    ['GovCloud partition', 'arn:aws-us-gov:iam::111122223333:role/Okta-X,arn:aws-us-gov:iam::111122223333:saml-provider/Okta', 'arn:aws-us-gov:iam::111122223333:role/Okta-X'],
  ])('reads %s', (_name, value, arn) => {
    expect(assertedRoleArn(value)).toBe(arn);
  });

  it.each([
    ['two roles', `${ROLE},${ROLE}`],
    ['two providers', `${SAML_PROVIDER},${SAML_PROVIDER}`],
    ['three parts', `${ROLE},${SAML_PROVIDER},${SAML_PROVIDER}`],
    ['a provider alone', SAML_PROVIDER],
    ['an empty value', ''],
    ['a user ARN', 'arn:aws:iam::111122223333:user/alice'],
    ['an account id of 11 digits', 'arn:aws:iam::11112222333:role/Okta-ReadOnly'],
    ['a role name with a space', 'arn:aws:iam::111122223333:role/Okta ReadOnly'],
    ['a trailing comma', `${ROLE},`],
  ])('ignores a malformed value: %s', (_name, value) => {
    expect(assertedRoleArn(value)).toBeUndefined();
  });

  const accountsById = new Map(ACCOUNTS.map((a) => [a.id, a]));
  const spec = { allow: ['arn:aws:iam::*:role/Okta-*'], maxSessionSeconds: 3600 };

  it('keeps the values within allow and a known account; counts the rest; positions of the malformed ones', () => {
    const read = assertedRoles(
      [`${ROLE},${SAML_PROVIDER}`, 'garbage', 'arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::999999999999:role/Okta-ReadOnly', `${SAML_PROVIDER},${ROLE}`, 'x,y'],
      spec,
      accountsById,
    );
    expect(read.roles.map(([id]) => id)).toEqual([ROLE]);
    expect(read.roles[0]?.[1]).toMatchObject({ arn: ROLE, role: 'asserted', account: PROD, label: 'Okta-ReadOnly', issuance: 'assume-role' });
    expect(read.malformed).toEqual([2, 6]);
    expect(read.refused).toBe(2);
  });

  it('is granted only by a rule that lists asserted roles', () => {
    const asserted = assertedRoles([ROLE], spec, accountsById).roles;
    expect(granted(run([allow('r', ['readonly@*'])], { assertedRoles: asserted }))).not.toContain(ROLE);
    expect(granted(run([allow('r', ['asserted@*'])], { assertedRoles: asserted }))).toEqual([ROLE]);
    expect(granted(run([allow('r', ['asserted@search-*'])], { assertedRoles: asserted }))).toEqual([]);
    expect(granted(run([allow('r', ['*'])], { assertedRoles: asserted }))).toContain(ROLE);
  });

  it('has the target keys of its account, broker:role "asserted", and deny overrides', () => {
    const asserted = assertedRoles([ROLE], spec, accountsById).roles;
    const rules = [allow('r', ['asserted@*'], { StringEquals: { 'broker:role': 'asserted', 'broker:account:tag/team': '${team}' } })];
    expect(granted(run(rules, { assertedRoles: asserted }))).toEqual([ROLE]);
    expect(run([...rules, deny('d', ['*@*'], { StringEquals: { 'broker:account:tag/env': 'prod' } })], { assertedRoles: asserted })).toMatchObject({ outcome: 'deny', code: 'DENIED_BY_RULE' });
  });

  it('is asked for by its ARN, as id or as ARN', () => {
    const asserted = assertedRoles([ROLE], spec, accountsById).roles;
    expect(granted(run([allow('r', ['asserted@*'])], { assertedRoles: asserted, role: { id: ROLE } }))).toEqual([ROLE]);
    expect(granted(run([allow('r', ['asserted@*'])], { assertedRoles: asserted, role: { arn: ROLE } }))).toEqual([ROLE]);
  });
});

describe('a claim value only ever matches itself (property)', () => {
  it('StringLike "${team}" grants exactly the accounts named like the claim, whatever characters it holds', () => {
    const names = ['payments-prod', 'payments-dev', 'search-dev'];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...names, '*', '?', '*-dev', 'payments-???', '**', ''), fc.string({ unit: fc.constantFrom('*', '?', 'p', 'a', '-', 'd', 'e', 'v') })), (team) => {
        const d = run([allow('a', ['readonly@*'], { StringLike: { 'broker:account:name': '${team}' } })], { claims: identity({ sub: 'alice', team }) });
        expect(granted(d)).toEqual(names.filter((n) => n === team).map((n) => `readonly@${n}`));
      }),
      { numRuns: 300 },
    );
  });
});
