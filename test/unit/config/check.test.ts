import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/index.ts';
import { baseConfig } from '../../support/config.ts';

type Mutation = (c: Record<string, any>) => void;
const problemsAfter = (mutate: Mutation) => {
  const data = baseConfig();
  mutate(data);
  return validateConfig(data).problems;
};

const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Tag${i}`, 'x']));

describe('semantic checks: errors', () => {
  const rows: Array<[string, Mutation, string]> = [
    ['unknown role id', (c) => c.rules[1].roles.push('nope'), 'rules[1].roles[1]'],
    ['unknown provider id', (c) => (c.rules[1].providers = ['corp-ldap']), 'rules[1].providers[0]'],
    ['duplicate rule id', (c) => (c.rules[2].id = 'engineers-dev'), 'rules[2].id'],
    ['unknown operator', (c) => (c.rules[1].conditions.StringMatches = { email: 'x' }), 'rules[1].conditions.StringMatches'],
    ['unknown qualifier', (c) => (c.rules[1].conditions['ForSomeValues:StringLike'] = { email: 'x' }), 'rules[1].conditions.ForSomeValues:StringLike'],
    ['bad CIDR', (c) => (c.rules[1].conditions.IpAddress = { 'broker:sourceIp': ['10.0.0.0/33'] }), 'rules[1].conditions.IpAddress.broker:sourceIp'],
    ['bad IPv6 CIDR', (c) => (c.rules[1].conditions.NotIpAddress = { 'broker:sourceIp': '2001:db8::/129' }), 'rules[1].conditions.NotIpAddress.broker:sourceIp'],
    ['bad number', (c) => (c.rules[1].conditions.NumericLessThan = { level: 'high' }), 'rules[1].conditions.NumericLessThan.level'],
    ['bad date', (c) => (c.rules[1].conditions.DateLessThan = { 'broker:time': 'tomorrow' }), 'rules[1].conditions.DateLessThan.broker:time'],
    ['bad Bool', (c) => (c.rules[1].conditions.Bool = { 'broker:mfa': 'yes' }), 'rules[1].conditions.Bool.broker:mfa'],
    ['unknown broker key', (c) => (c.rules[1].conditions.StringEquals = { 'broker:user': 'x' }), 'rules[1].conditions.StringEquals.broker:user'],
    ['more than 50 tags', (c) => (c.rules[1].session.tags = manyTags(51)), 'rules[1].session.tags'],
    ['tag key with an illegal character', (c) => (c.rules[1].session.tags = { 'Team!': 'x' }), 'rules[1].session.tags.Team!'],
    ['tag keys equal but for case', (c) => (c.rules[1].session.tags = { Team: 'a', team: 'b' }), 'rules[1].session.tags.team'],
    ['transitive tag that is not a tag', (c) => (c.rules[1].session.transitiveTags = ['Cost']), 'rules[1].session.transitiveTags[0]'],
    ['inline policy over 2048 chars', (c) => (c.rules[1].session.policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x:'.padEnd(2100, 'y'), Resource: '*' }] }), 'rules[1].session.policy'],
    ['more than 10 policy ARNs', (c) => (c.rules[1].session.policyArns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`)), 'rules[1].session.policyArns'],
    ['template claim no provider can supply', (c) => ((c.rules[1].providers = ['corp-saml']), (c.rules[1].session.name = '${nickname}')), 'rules[1].session.name'],
    ['template on an unknown broker key', (c) => (c.rules[1].session.name = '${broker:user}'), 'rules[1].session.name'],
    ['unterminated template', (c) => (c.rules[1].session.name = '${email'), 'rules[1].session.name'],
    ['inline policy: a JSON string that is not an object', (c) => (c.rules[1].session.policy = '["not", "a", "document"]'), 'rules[1].session.policy'],
    ['inline policy: a JSON string with a repeated member', (c) => (c.rules[1].session.policy = '{"Version":"2012-10-17","Version":"2008-10-17"}'), 'rules[1].session.policy'],
    ['inline policy: a JSON string over 2048 chars minified', (c) => (c.rules[1].session.policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x:'.padEnd(2100, 'y'), Resource: '*' }] }, null, 2)), 'rules[1].session.policy'],
    ['claims mapping into the broker namespace', (c) => (c.providers['corp-oidc'].claims['broker:mfa'] = 'mfa'), 'providers.corp-oidc.claims.broker:mfa'],
    ['OIDC provider with nothing to accept as aud', (c) => (delete c.providers['corp-oidc'].audiences, delete c.providers['corp-oidc'].clientId), 'providers.corp-oidc'],
    ['client_secret_basic without a secret', (c) => (c.providers['corp-oidc'].clientAuth = 'client_secret_basic'), 'providers.corp-oidc.clientSecret'],
    ['empty value list', (c) => (c.rules[1].conditions.StringEquals = { email: [] }), 'rules[1].conditions.StringEquals.email'],
  ];

  it.each(rows)('%s', (_name, mutate, path) => {
    const errors = problemsAfter(mutate).filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.path)).toContain(path);
  });

  it('the unmutated config has no errors', () => {
    expect(problemsAfter(() => undefined).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('exactly 50 tags, 10 policy ARNs and a 2048-char policy are fine', () => {
    const errors = problemsAfter((c) => {
      c.rules[1].session.tags = manyTags(50);
      c.rules[1].session.transitiveTags = [];
      c.rules[1].session.policyArns = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
      const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '', Resource: '*' }] }).length;
      c.rules[1].session.policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x'.repeat(2048 - base), Resource: '*' }] };
    }).filter((p) => p.severity === 'error');
    expect(errors).toEqual([]);
  });
});

describe('semantic checks: warnings', () => {
  // A rule that can never take effect grants nothing extra: it is reported, and must not block a deploy.
  const orderRows: Array<[string, Mutation, string]> = [
    ['allow rule shadowed by an earlier, broader one', (c) => c.rules.push({ ...structuredClone(c.rules[1]), id: 'again', conditions: { ...structuredClone(c.rules[1].conditions), Bool: { 'broker:mfa': true } } }), 'rules[3]'],
    ['allow rule unreachable behind a deny rule', (c) => c.rules.push({ id: 'contractors-dev', roles: ['dev-readonly'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } }), 'rules[3]'],
  ];
  it.each(orderRows)('%s', (_name, mutate, path) => {
    const problems = problemsAfter(mutate);
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'warning', path }));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('an inline policy may be given as a JSON string (minified for STS)', () => {
    const problems = problemsAfter((c) => (c.rules[1].session.policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }, null, 2)));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  const joinedRows: Array<[string, Mutation, string]> = [
    // Several values are joined with ":" in a tag: ["a","x:b"] and ["a","x","b"] give the same tag.
    ['tag of a claim a rule tests with ForAnyValue:', (c) => (c.rules[1].session.tags.G = 'g=${groups}'), 'rules[1].session.tags.G'],
    ['tag of a claim a rule tests with ForAllValues:', (c) => ((c.rules[1].conditions['ForAllValues:StringLike'] = { teams: 'eng-*' }), (c.rules[1].session.tags.T = '${teams}')), 'rules[1].session.tags.T'],
    ['tag of amr (a well-known list claim)', (c) => (c.rules[1].session.tags.A = '${amr}'), 'rules[1].session.tags.A'],
    ['tag of a SAML groups attribute by its URI', (c) => (c.rules[1].session.tags.G = '${http://schemas.microsoft.com/ws/2008/06/identity/claims/groups}'), 'rules[1].session.tags.G'],
    ['tag of a name mapped from a list pointer', (c) => ((c.providers['corp-oidc'].claims.teams = '/org/roles'), (c.rules[1].session.tags.T = '${teams}')), 'rules[1].session.tags.T'],
  ];
  it.each(joinedRows)('%s', (_name, mutate, path) => {
    const problems = problemsAfter(mutate);
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'warning', path, message: expect.stringContaining('joined with ":"') }));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('does not warn about single-valued claims in tags', () => {
    const joined = problemsAfter((c) => (c.rules[1].session.tags = { Team: '${department}', Mail: '${email}' })).filter((p) => p.message.includes('joined with ":"'));
    expect(joined).toEqual([]);
  });

  const rows: Array<[string, Mutation, string]> = [
    ['allow rule whose conditions are all negated', (c) => (c.rules[1].conditions = { StringNotEquals: { email: 'x' }, 'ForAllValues:StringNotLike': { groups: 'y*' } }), 'rules[1].conditions'],
    ['allow rule without conditions', (c) => delete c.rules[1].conditions, 'rules[1].conditions'],
    ['template claim only some providers can supply', (c) => (c.rules[1].session.name = '${nickname}'), 'rules[1].session.name'],
    ['role no rule grants', (c) => (c.roles.orphan = { arn: 'arn:aws:iam::111122223333:role/Orphan' }), 'roles.orphan'],
    ['session on a deny rule', (c) => (c.rules[0].session = { name: '${sub}' }), 'rules[0].session'],
  ];
  it.each(rows)('%s', (_name, mutate, path) => {
    const problems = problemsAfter(mutate);
    expect(problems.filter((p) => p.severity === 'warning').map((p) => p.path)).toContain(path);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
