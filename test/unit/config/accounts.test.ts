// Accounts and role templates in the config (docs/accounts.md): expansion into role instances, accounts from an
// Organizations file, the check-config warnings (templates that select no account, patterns that match no role,
// policy variables naming claims no provider maps, asserted roles no rule lists), and the claims a config uses.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { accountNameOf } from '../../../shared/config/accounts.ts';
import { loadConfigFile, validateConfig } from '../../../shared/config/index.ts';
import { usedClaimNames } from '../../../shared/identity/used-claims.ts';
import { baseConfig, configFrom } from '../../support/config.ts';

const withAccounts = (): Record<string, any> => {
  const c = baseConfig();
  c.accounts = {
    'payments-prod': { id: '111122223333', label: 'Payments production', tags: { team: 'payments', env: 'prod' } },
    'payments-dev': { id: '444455556666', tags: { team: 'payments', env: 'dev' } },
  };
  c.roles.readonly = { arn: 'arn:aws:iam::${account}:role/ReadOnly', accounts: ['*'], label: 'Read only', maxSessionSeconds: 7200 };
  c.roles.admin = { arn: 'arn:aws:iam::${account}:role/Admin', accounts: { tags: { env: ['dev', 'test'] } }, externalId: 'ext-123' };
  c.rules.push({ id: 'team-readonly', roles: ['readonly@*', 'admin@payments-dev'], conditions: { StringEquals: { 'broker:account:tag/team': '${department}' } } });
  return c;
};

const warningsOf = (c: Record<string, any>) => validateConfig(c).problems.filter((p) => p.severity === 'warning');
const errorsOf = (c: Record<string, any>) => validateConfig(c).problems.filter((p) => p.severity === 'error');

describe('role templates expand into role instances at load', () => {
  it('one instance per selected account, in the accounts order, with its ARN, template id and account', async () => {
    const config = await configFrom(withAccounts());
    expect(Object.keys(config.roles)).toEqual(['dev-readonly', 'prod-admin', 'readonly@payments-prod', 'readonly@payments-dev', 'admin@payments-dev']);
    expect(config.roles['readonly@payments-dev']).toMatchObject({
      arn: 'arn:aws:iam::444455556666:role/ReadOnly',
      label: 'Read only',
      maxSessionSeconds: 7200,
      issuance: 'assume-role',
      role: 'readonly',
      account: { id: '444455556666', name: 'payments-dev', tags: { team: 'payments', env: 'dev' } },
    });
    expect(config.roles['admin@payments-dev']?.externalId).toBe('ext-123');
  });

  it('a plain role whose ARN names a known account gets that account; others none', async () => {
    const config = await configFrom(withAccounts());
    expect(config.roles['dev-readonly']?.account?.name).toBe('payments-prod');
    expect(config.roles['prod-admin']?.account?.name).toBe('payments-dev');
    const plain = await configFrom(baseConfig());
    expect(plain.roles['dev-readonly']?.account).toBeUndefined();
  });

  it('a config without accounts keeps every role as it was', async () => {
    const config = await configFrom(baseConfig());
    expect(Object.keys(config.roles)).toEqual(['dev-readonly', 'prod-admin']);
    expect(config.accounts).toEqual([]);
  });
});

describe('accountsFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-accounts-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (accounts: unknown) => {
    const c = baseConfig();
    c.accountsFile = 'org.json';
    c.roles.readonly = { arn: 'arn:aws:iam::${account}:role/ReadOnly', accounts: ['*'] };
    await writeFile(join(dir, 'org.json'), JSON.stringify(accounts));
    await writeFile(join(dir, 'broker.yaml'), stringify(c));
    return loadConfigFile(join(dir, 'broker.yaml'), { resolveSecrets: false });
  };

  it('reads aws organizations list-accounts output: names from Name, labels the Name, tags from the entry', async () => {
    const config = await load({ Accounts: [{ Id: '111122223333', Arn: 'arn:aws:organizations::1:account/o/1', Email: 'x@example.com', Name: 'Payments Prod (EU)', Status: 'ACTIVE', JoinedMethod: 'CREATED', JoinedTimestamp: '2024-01-01T00:00:00Z', tags: { env: 'prod' } }] });
    expect(config.accounts).toEqual([{ id: '111122223333', name: 'payments-prod--eu-', label: 'Payments Prod (EU)', tags: { env: 'prod' } }]);
    expect(Object.keys(config.roles)).toContain('readonly@payments-prod--eu-');
  });

  it('reads the accounts: shape as {"accounts": {...}}', async () => {
    const config = await load({ accounts: { prod: { id: '111122223333', label: 'Prod', tags: { env: 'prod' } } } });
    expect(config.accounts).toEqual([{ id: '111122223333', name: 'prod', label: 'Prod', tags: { env: 'prod' } }]);
  });

  it('warns when the file is one page of a paginated listing', async () => {
    const config = await load({ Accounts: [{ Id: '111122223333', Name: 'a' }], NextToken: 'abc' });
    expect(config.warnings.map((w) => w.path)).toContain('accountsFile.NextToken');
  });

  it.each([
    ['Payments Prod', 'payments-prod'],
    ['ÄÖÜ team', '----team'],
    ['a.b_c-d', 'a.b_c-d'],
  ])('names %j as %j', (name, expected) => {
    expect(accountNameOf(name)).toBe(expected);
  });
});

describe('check-config warnings', () => {
  it('a template that selects no account', () => {
    const c = withAccounts();
    c.roles.admin.accounts = { tags: { env: 'staging' } };
    c.rules[3].roles = ['readonly@*'];
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ path: 'roles.admin.accounts', message: expect.stringContaining('selects no account') }));
  });

  it.each([
    ['a role pattern', 'readonly@search-*'],
    ['an id pattern', 'dev-*-x'],
    ['the asserted roles of no provider', 'asserted@*'],
  ])('%s that matches no role', (_name, pattern) => {
    const c = withAccounts();
    c.rules[3].roles.push(pattern);
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ path: 'rules[3].roles[2]', message: expect.stringContaining('matches no role') }));
  });

  it('a policy variable naming a claim a SAML provider of the rule cannot supply', () => {
    const c = withAccounts();
    c.rules[3].providers = ['corp-saml'];
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ path: 'rules[3].conditions.StringEquals.broker:account:tag/team', message: expect.stringContaining('${department}') }));
  });

  it('a policy variable in a deny rule (a missing claim leaves the deny without effect)', () => {
    const c = withAccounts();
    c.rules[0].conditions = { StringEquals: { 'broker:account:tag/team': '${department}' } };
    expect(warningsOf(c).map((w) => w.path)).toContain('rules[0].conditions.StringEquals.broker:account:tag/team');
  });

  it('a tag no account has', () => {
    const c = withAccounts();
    c.rules[3].conditions.StringEquals = { 'broker:account:tag/owner': 'x' };
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ message: expect.stringContaining('no account has the tag "owner"') }));
  });

  it('asserted roles that no allow rule lists', () => {
    const c = withAccounts();
    c.providers['corp-saml'].assertedRoles = { attribute: 'https://aws.amazon.com/SAML/Attributes/Role', allow: ['arn:aws:iam::*:role/Okta-*'] };
    expect(warningsOf(c).map((w) => w.path)).toContain('providers.corp-saml.assertedRoles');
    c.rules.push({ id: 'asserted', providers: ['corp-saml'], roles: ['asserted@*'], conditions: { StringLike: { sub: '*' } } });
    expect(warningsOf(c).map((w) => w.path)).not.toContain('providers.corp-saml.assertedRoles');
  });

  it('a template none of whose instances an allow rule lists', () => {
    const c = withAccounts();
    c.rules[3].roles = ['admin@payments-dev'];
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ path: 'roles.readonly', message: 'no allow rule grants this role' }));
  });

  it('the configuration above has no errors', () => {
    expect(errorsOf(withAccounts())).toEqual([]);
  });

  it('shadowing is still found with "*@*" as "*"', () => {
    const c = withAccounts();
    c.rules.push({ id: 'late', effect: 'deny', roles: ['readonly@*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } });
    c.rules[0].roles = ['*@*'];
    expect(warningsOf(c)).toContainEqual(expect.objectContaining({ path: 'rules[4]', message: expect.stringContaining('shadowed by earlier rule "no-contractors"') }));
  });
});

describe('the claims a config with accounts uses', () => {
  it('adds claims named by policy variables and the attribute that asserts roles', async () => {
    const c = withAccounts();
    c.rules[3].conditions.StringEquals['broker:account:name'] = '${costcenter}-*';
    c.providers['corp-saml'].assertedRoles = { attribute: 'https://aws.amazon.com/SAML/Attributes/Role', allow: ['arn:aws:iam::*:role/Okta-*'] };
    const names = usedClaimNames(await configFrom(c));
    expect(names.has('department')).toBe(true);
    expect(names.has('costcenter')).toBe(true);
    expect(names.has('https://aws.amazon.com/SAML/Attributes/Role')).toBe(true);
  });
});
