// Many accounts under attack (docs/accounts.md). Two tables, each built from a valid input by one mutation per row:
// configs that must be refused at load (every problem by path), and requests through POST /token — OIDC ID tokens and
// SAML responses from the samlify test IdP carrying the AWS `Role` attribute — that must grant exactly the role
// instances the rules grant: policy variables that try to inject pattern characters, claims that try to name
// another account or set a target key, asserted roles outside `allow`, in an unknown account, malformed, or listed by
// no rule. Refusals assert the code and zero STS calls.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfigFile } from '../../shared/config/index.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { EXAMPLE_IDP_METADATA } from '../support/config.ts';
import { signCompact } from '../support/oidc.ts';
import { ATTR } from '../support/saml-idp.ts';
import { carriesCredentials, codeOf, form, httpEvent, lambdaContext, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { samlResponse } from '../support/security-browser.ts';

// ---------------------------------------------------------------------------------------------------- config

const ACCOUNTS = {
  'payments-prod': { id: '111122223333', label: 'Payments production', tags: { team: 'payments', env: 'prod' } },
  'payments-dev': { id: '444455556666', label: 'Payments development', tags: { team: 'payments', env: 'dev' } },
  'search-dev': { id: '777788889999', label: 'Search development', tags: { team: 'search', env: 'dev' } },
};

const validDocument = (): Record<string, any> => ({
  version: 1,
  broker: { baseUrl: 'https://broker.example.com' },
  providers: {
    'corp-saml': {
      type: 'saml',
      metadataXml: EXAMPLE_IDP_METADATA,
      claims: { team: 'urn:team' },
      assertedRoles: { attribute: 'https://aws.amazon.com/SAML/Attributes/Role', allow: ['arn:aws:iam::*:role/Okta-*'] },
    },
  },
  accounts: structuredClone(ACCOUNTS),
  roles: {
    readonly: { arn: 'arn:aws:iam::${account}:role/ReadOnly', accounts: ['*'], label: 'Read only' },
    admin: { arn: 'arn:aws:iam::${account}:role/Admin', accounts: { tags: { env: ['dev'] } } },
    legacy: { arn: 'arn:aws:iam::111122223333:role/Legacy' },
  },
  rules: [
    { id: 'team-readonly', roles: ['readonly@*'], conditions: { StringEquals: { 'broker:account:tag/team': '${team}' } } },
    { id: 'admins', roles: ['admin@payments-dev', 'legacy'], conditions: { 'ForAnyValue:StringEquals': { groups: ['admins'] } } },
    { id: 'asserted', roles: ['asserted@*'], conditions: { StringLike: { sub: '*' } } },
    { id: 'no-prod', effect: 'deny', roles: ['*@*'], conditions: { StringEquals: { 'broker:account:tag/env': 'prod' }, 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
  ],
});

const ORGANIZATIONS = {
  Accounts: [
    { Id: '111122223333', Arn: 'arn:aws:organizations::999999999999:account/o-x/111122223333', Email: 'p@example.com', Name: 'Payments Prod', Status: 'ACTIVE', tags: { team: 'payments', env: 'prod' } },
    { Id: '444455556666', Name: 'Payments Dev', Status: 'ACTIVE', tags: { team: 'payments', env: 'dev' } },
  ],
};

interface ConfigRow {
  readonly name: string;
  readonly mutate: (c: Record<string, any>) => void;
  /** The accountsFile's content, when the row uses one. */
  readonly file?: unknown;
  /** undefined: the config loads. */
  readonly path?: string;
}

const fromFile = (file: unknown): Pick<ConfigRow, 'mutate' | 'file'> => ({
  file,
  mutate: (c) => {
    delete c.accounts;
    c.accountsFile = 'accounts.json';
    c.rules[1].roles = ['admin@payments-dev'];
  },
});

const configRows: ConfigRow[] = [
  { name: 'the valid config loads', mutate: () => undefined },
  { name: 'the valid config with an Organizations file loads', ...fromFile(ORGANIZATIONS) },
  { name: 'a rule names an unknown account', mutate: (c) => (c.rules[1].roles = ['admin@payments-prd']), path: 'rules[1].roles[0]' },
  { name: 'a deny rule names an unknown account', mutate: (c) => (c.rules[3].roles = ['*@payments-prd']), path: 'rules[3].roles[0]' },
  { name: 'a rule names an unknown role of a pattern', mutate: (c) => (c.rules[0].roles = ['readonli@*']), path: 'rules[0].roles[0]' },
  { name: 'a rule names a template without an account (it would list nothing)', mutate: (c) => (c.rules[3].roles = ['readonly']), path: 'rules[3].roles[0]' },
  { name: 'a template names an unknown account', mutate: (c) => (c.roles.readonly.accounts = ['payments-prd']), path: 'roles.readonly.accounts[0]' },
  { name: 'two accounts share an id', mutate: (c) => (c.accounts['search-dev'].id = '444455556666'), path: 'accounts.search-dev.id' },
  { name: 'two Organizations accounts give the same name', ...fromFile({ Accounts: [...ORGANIZATIONS.Accounts, { Id: '777788889999', Name: 'payments dev' }] }), path: 'accountsFile.Accounts[2]' },
  { name: 'two Organizations accounts share an id', ...fromFile({ Accounts: [...ORGANIZATIONS.Accounts, { Id: '444455556666', Name: 'Other' }] }), path: 'accountsFile.Accounts[2].Id' },
  { name: 'a template without ${account} is given accounts', mutate: (c) => (c.roles.readonly.arn = 'arn:aws:iam::111122223333:role/ReadOnly'), path: 'roles.readonly.accounts' },
  { name: '${account} in a role without accounts', mutate: (c) => (c.roles.legacy.arn = 'arn:aws:iam::${account}:role/Legacy'), path: 'roles.legacy.arn' },
  { name: 'an account id of 11 digits', mutate: (c) => (c.accounts['search-dev'].id = '77778888999'), path: 'accounts.search-dev.id' },
  { name: 'an account id of 13 digits', mutate: (c) => (c.accounts['search-dev'].id = '7777888899990'), path: 'accounts.search-dev.id' },
  { name: 'an account id as a number (unquoted in YAML; a leading zero would be lost)', mutate: (c) => (c.accounts['search-dev'].id = 777788889990), path: 'accounts.search-dev.id' },
  { name: 'an account id with letters', mutate: (c) => (c.accounts['search-dev'].id = '7777888899ab'), path: 'accounts.search-dev.id' },
  { name: 'an Organizations file whose Accounts is not a list', ...fromFile({ Accounts: { Id: '111122223333', Name: 'x' } }), path: 'accountsFile.Accounts' },
  { name: 'an Organizations account without Id', ...fromFile({ Accounts: [{ Name: 'Payments Dev' }] }), path: 'accountsFile.Accounts[0].Id' },
  { name: 'an Organizations account whose Id is a number', ...fromFile({ Accounts: [{ Id: 444455556666, Name: 'Payments Dev' }] }), path: 'accountsFile.Accounts[0].Id' },
  { name: 'an Organizations account whose Name gives no usable name', ...fromFile({ Accounts: [{ Id: '444455556666', Name: '***' }] }), path: 'accountsFile.Accounts[0].Name' },
  { name: 'an Organizations account whose tags are not strings', ...fromFile({ Accounts: [{ Id: '444455556666', Name: 'Payments Dev', tags: { env: ['dev'] } }] }), path: 'accountsFile.Accounts[0].tags.env' },
  { name: 'an accounts file that is neither shape', ...fromFile({ accounts: ACCOUNTS, extra: 1 }), path: 'accountsFile' },
  { name: 'an accounts file that is not JSON', ...fromFile('{"Accounts": ['), path: 'accountsFile' },
  { name: 'an accounts file with a repeated member', ...fromFile('{"Accounts": [], "Accounts": [{"Id": "111122223333", "Name": "x"}]}'), path: 'accountsFile' },
  { name: 'accounts and accountsFile together', mutate: (c) => (c.accountsFile = 'accounts.json'), file: ORGANIZATIONS, path: 'accountsFile' },
  { name: 'a policy variable in a Numeric operator', mutate: (c) => (c.rules[0].conditions.NumericEquals = { level: '${level}' }), path: 'rules[0].conditions.NumericEquals.level' },
  { name: 'a policy variable naming a target key', mutate: (c) => (c.rules[0].conditions.StringEquals.team = '${broker:account}'), path: 'rules[0].conditions.StringEquals.team' },
  { name: 'a role with the reserved id "asserted"', mutate: (c) => (c.roles.asserted = { arn: 'arn:aws:iam::111122223333:role/Asserted' }), path: 'roles.asserted' },
];

describe('config: bad account and template input is refused at load, by path', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-accounts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(configRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const document = validDocument();
    row.mutate(document);
    const file = join(dir, `${configRows.indexOf(row)}.yaml`);
    await writeFile(file, stringify(document));
    if (row.file !== undefined) await writeFile(join(dir, 'accounts.json'), typeof row.file === 'string' ? row.file : JSON.stringify(row.file));
    const loading = loadConfigFile(file, { resolveSecrets: false });
    if (row.path === undefined) {
      await expect(loading).resolves.toBeDefined();
      return;
    }
    const error = await loading.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const errors = (error as ConfigError).problems.filter((p) => p.severity === 'error').map((p) => p.path);
    expect(errors).toContain(row.path);
    // Every problem by path, never the value: no account id of the file is echoed.
    expect((error as Error).message).not.toMatch(/1111222233|4444555566|7777888899/);
  });
});

// ---------------------------------------------------------------------------------------------------- requests

const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
const OKTA_PROVIDER = 'arn:aws:iam::444455556666:saml-provider/Okta';
const OKTA_DEV = 'arn:aws:iam::444455556666:role/Okta-ReadOnly';
const OKTA_PROD = 'arn:aws:iam::111122223333:role/Okta-ReadOnly';
const OKTA_OUTSIDE = 'arn:aws:iam::999999999999:role/Okta-ReadOnly';
const NOT_ALLOWED = 'arn:aws:iam::444455556666:role/Admin';

const broker = useBrokerUnderTest({
  resetStsEach: true,
  edit: (c) => {
    c.accounts = structuredClone(ACCOUNTS);
    c.roles = {
      readonly: { arn: 'arn:aws:iam::${account}:role/ReadOnly', accounts: ['*'], label: 'Read only' },
      search: { arn: 'arn:aws:iam::${account}:role/Search', accounts: ['*'] },
      audit: { arn: 'arn:aws:iam::${account}:role/Audit', accounts: ['*'] },
    };
    c.providers['corp-oidc'].assertedRoles = { attribute: 'aws_roles', allow: ['arn:aws:iam::*:role/Okta-*'] };
    c.providers['corp-saml'].claims.team = 'team';
    c.providers['corp-saml'].assertedRoles = { attribute: ROLE_ATTRIBUTE, allow: ['arn:aws:iam::*:role/Okta-*'] };
  },
  rules: [
    { id: 'team-readonly', roles: ['readonly@*'], conditions: { StringEquals: { 'broker:account:tag/team': '${team}' } }, session: { name: '${email}' } },
    { id: 'team-search', roles: ['search@*'], conditions: { StringLike: { 'broker:account:name': '${team}-*' } }, session: { name: '${email}' } },
    // Auditors audit the other teams' accounts: a negated operator with a policy variable.
    { id: 'audit-other-teams', roles: ['audit@*'], conditions: { StringNotEquals: { 'broker:account:tag/team': '${team}' } }, session: { name: '${email}' } },
    { id: 'asserted', providers: ['corp-saml'], roles: ['asserted@*'], session: { name: '${email}' } },
    { id: 'no-prod-for-contractors', effect: 'deny', roles: ['*@*'], conditions: { StringEquals: { 'broker:account:tag/env': 'prod' }, 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
  ],
});

const exchange = (subjectToken: string, audience: string, type: 'id_token' | 'saml2'): Promise<HandlerResult> =>
  broker.handlers.token(
    httpEvent('/token', { body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: `urn:ietf:params:oauth:token-type:${type}`, audience }) }),
    lambdaContext,
  );

const idToken = (claims: Record<string, unknown>): string =>
  signCompact(`{"alg":"RS256","kid":"${broker.oidc.key.kid}"}`, JSON.stringify({ ...broker.oidc.claims(new Date()), email: 'alice@example.com', team: 'payments', ...claims }), { key: broker.oidc.key });

const saml = (roles: string[], attributes: Record<string, string[]> = {}): Promise<string> =>
  samlResponse(broker, { user: { nameId: 'alice@example.com', attributes: { [ATTR.email]: ['alice@example.com'], team: ['payments'], [ROLE_ATTRIBUTE]: roles, ...attributes } } });

interface RequestRow {
  readonly name: string;
  readonly audience: string;
  readonly token: () => string | Promise<string>;
  readonly type?: 'saml2';
  /** undefined: granted, and STS is asked for exactly this ARN. */
  readonly code?: ErrorCode;
  readonly arn?: string;
}

const oidc = (name: string, audience: string, claims: Record<string, unknown>, code?: ErrorCode, arn?: string): RequestRow => ({ name, audience, token: () => idToken(claims), code, arn });
const asserted = (name: string, audience: string, roles: string[], code?: ErrorCode, attributes?: Record<string, string[]>): RequestRow => ({ name, audience, type: 'saml2', token: () => saml(roles, attributes), code, arn: audience });

const requestRows: RequestRow[] = [
  oidc('own team, by ${team}: granted', 'readonly@payments-dev', {}, undefined, 'arn:aws:iam::444455556666:role/ReadOnly'),
  oidc('own team, by ${team}-* (StringLike): granted', 'search@payments-dev', {}, undefined, 'arn:aws:iam::444455556666:role/Search'),
  oidc('policy variable: team "*" stays literal in StringLike', 'search@search-dev', { team: '*' }, 'ROLE_NOT_GRANTED'),
  oidc('policy variable: team "s?arch" stays literal', 'search@search-dev', { team: 's?arch' }, 'ROLE_NOT_GRANTED'),
  oidc('policy variable: team "${other}" is not expanded again', 'readonly@search-dev', { team: '${other}', other: 'search' }, 'ROLE_NOT_GRANTED'),
  oidc('policy variable: no team claim matches nothing', 'readonly@payments-dev', { team: undefined }, 'ROLE_NOT_GRANTED'),
  oidc('policy variable, negated operator: another team’s account is granted', 'audit@search-dev', {}, undefined, 'arn:aws:iam::777788889999:role/Audit'),
  oidc('policy variable, negated operator: no team claim leaves no value, and the condition is false', 'audit@search-dev', { team: undefined }, 'ROLE_NOT_GRANTED'),
  oidc("a claim value naming another team's account", 'readonly@search-dev', {}, 'ROLE_NOT_GRANTED'),
  oidc('the IdP sends broker:account:tag/team to set a target key', 'readonly@search-dev', { 'broker:account:tag/team': 'search', 'broker:account': '777788889999' }, 'ROLE_NOT_GRANTED'),
  oidc('an unknown account in the audience', 'readonly@payments-qa', {}, 'ROLE_NOT_GRANTED'),
  oidc('a pattern in the audience', 'readonly@*', {}, 'INVALID_REQUEST'),
  oidc('deny overrides allow for one instance', 'readonly@payments-prod', { groups: ['contractors'] }, 'DENIED_BY_RULE'),
  oidc('…and leaves the other instances', 'readonly@payments-dev', { groups: ['contractors'] }, undefined, 'arn:aws:iam::444455556666:role/ReadOnly'),
  asserted('asserted role, within allow and a known account: granted', OKTA_DEV, [`${OKTA_DEV},${OKTA_PROVIDER}`]),
  asserted('asserted role, provider ARN first: granted', OKTA_DEV, [`${OKTA_PROVIDER},${OKTA_DEV}`]),
  asserted('asserted role outside allow', NOT_ALLOWED, [`${NOT_ALLOWED},${OKTA_PROVIDER}`], 'ROLE_NOT_GRANTED'),
  asserted('asserted role in an unknown account', OKTA_OUTSIDE, [`${OKTA_OUTSIDE},arn:aws:iam::999999999999:saml-provider/Okta`], 'ROLE_NOT_GRANTED'),
  asserted('malformed Role value: two role ARNs', OKTA_DEV, [`${OKTA_DEV},${OKTA_DEV}`], 'ROLE_NOT_GRANTED'),
  asserted('malformed Role value: role, provider and one more', OKTA_DEV, [`${OKTA_DEV},${OKTA_PROVIDER},${OKTA_PROVIDER}`], 'ROLE_NOT_GRANTED'),
  asserted('a malformed Role value next to a good one: the good one counts', OKTA_DEV, ['not-an-arn', `${OKTA_DEV},${OKTA_PROVIDER}`]),
  asserted('asserted role in prod, refused for a contractor by the deny rule', OKTA_PROD, [OKTA_PROD], 'DENIED_BY_RULE', { [ATTR.groups]: ['contractors'] }),
  { name: 'asserted role that no rule lists (OIDC provider, no asserted@ rule)', audience: OKTA_DEV, token: () => idToken({ aws_roles: [OKTA_DEV] }), code: 'ROLE_NOT_GRANTED' },
];

describe('requests: exactly the role instances the rules grant', () => {
  it.each(requestRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const result = await exchange(await row.token(), row.audience, row.type ?? 'id_token');
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ RoleArn: row.arn });
      expect(broker.stsCalls()).toBe(1);
    } else {
      expect(result.statusCode).toBe(400);
      expect(codeOf(result)).toBe(row.code);
      expect(carriesCredentials(result)).toBe(false);
      expect(broker.stsCalls()).toBe(0);
    }
  });

  it('logs ignored Role values by count and position only, never the values', async () => {
    const before = broker.capture?.text().length ?? 0;
    await exchange(await saml(['arn:aws:iam::444455556666:role/Okta-Secret-Name,x', `${OKTA_DEV},${OKTA_PROVIDER}`]), OKTA_DEV, 'saml2');
    const logged = (broker.capture?.text() ?? '').slice(before);
    expect(logged).toMatch(/asserted role values ignored as malformed/);
    expect(logged).toMatch(/"positions":\[1\]/);
    expect(logged).not.toContain('Okta-Secret-Name');
  });
});
