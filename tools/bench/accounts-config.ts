// The many-accounts bench config (docs/performance.md): 1,000 accounts (50 teams × 4 environments × 5), 10 role
// templates over every account (10,000 role instances) and 200 rules of the kinds docs/accounts.md shows — team
// rules by account pattern and by tag, policy variables (`${team}`), deny rules on every role — and one identity.

export const TEAMS = 50;
const ENVS = ['dev', 'test', 'staging', 'prod'] as const;
const PER_TEAM_ENV = 5;
const TEMPLATES = ['readonly', 'poweruser', 'admin', 'billing', 'audit', 'network', 'data-read', 'data-write', 'deploy', 'breakglass'] as const;

const team = (t: number): string => `team${String(t).padStart(2, '0')}`;

export const accountsDocument = (): Record<string, unknown> => {
  const accounts: Record<string, unknown> = {};
  let n = 0;
  for (let t = 0; t < TEAMS; t++) {
    for (const env of ENVS) {
      for (let k = 0; k < PER_TEAM_ENV; k++) {
        n += 1;
        accounts[`${team(t)}-${env}-${k}`] = {
          id: String(100_000_000_000 + n),
          label: `Team ${t} ${env} ${k}`,
          tags: { team: team(t), env, 'cost-center': `cc-${t % 7}` },
        };
      }
    }
  }
  return accounts;
};

const rulesDocument = (): unknown[] => {
  const rules: unknown[] = [
    { id: 'no-contractors-in-prod', effect: 'deny', roles: ['*@*'], conditions: { StringEquals: { 'broker:account:tag/env': 'prod' }, 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
    { id: 'breakglass-needs-mfa', effect: 'deny', roles: ['breakglass@*'], conditions: { Bool: { 'broker:mfa': 'false' } } },
    { id: 'own-team-readonly', roles: ['readonly@*'], conditions: { StringEquals: { 'broker:account:tag/team': '${team}' } }, session: { name: '${email}', tags: { Team: '${team}' } } },
    { id: 'own-team-deploy', roles: ['deploy@*'], conditions: { StringEquals: { 'broker:account:tag/team': '${team}', 'broker:account:tag/env': ['dev', 'test'] }, 'ForAnyValue:StringEquals': { groups: ['deployers'] } } },
  ];
  // Per team: read only everywhere of the team, power user in dev and test, admin in dev, data in every env.
  for (let t = 0; t < TEAMS && rules.length < 200; t++) {
    rules.push({ id: `${team(t)}-readonly`, roles: [`readonly@${team(t)}-*`, `audit@${team(t)}-*`], conditions: { 'ForAnyValue:StringEquals': { groups: [`${team(t)}-members`] } } });
    rules.push({ id: `${team(t)}-power`, roles: [`poweruser@${team(t)}-*`], conditions: { 'ForAnyValue:StringEquals': { groups: [`${team(t)}-engineers`] }, StringEquals: { 'broker:account:tag/env': ['dev', 'test'] } } });
    rules.push({ id: `${team(t)}-admin`, roles: [`admin@${team(t)}-dev-*`], conditions: { 'ForAnyValue:StringEquals': { groups: [`${team(t)}-admins`] }, Bool: { 'broker:mfa': 'true' } } });
    rules.push({ id: `${team(t)}-data`, roles: [`data-read@${team(t)}-*`, `data-write@${team(t)}-dev-*`], conditions: { 'ForAnyValue:StringLike': { groups: [`${team(t)}-data-*`] } } });
  }
  return rules.slice(0, 200);
};

/** The config document (JSON-ready), with one OIDC provider (its keys are not needed to load or decide). */
export const benchConfigDocument = (): Record<string, unknown> => ({
  version: 1,
  broker: { baseUrl: 'https://broker.example.com' },
  providers: { corp: { type: 'oidc', issuer: 'https://idp.example.com', audiences: ['broker'], claims: { team: 'team' } } },
  accounts: accountsDocument(),
  roles: Object.fromEntries(TEMPLATES.map((name) => [name, { arn: `arn:aws:iam::\${account}:role/${name}`, accounts: ['*'], label: name, maxSessionSeconds: 3600 }])),
  rules: rulesDocument(),
});

/** One engineer of team 7 in a few groups, with MFA. */
export const benchClaims = (): Record<string, unknown> => ({
  sub: 'u-1007',
  email: 'alice@example.com',
  team: team(7),
  groups: [`${team(7)}-members`, `${team(7)}-engineers`, `${team(7)}-data-readers`, 'deployers', 'all-staff', ...Array.from({ length: 15 }, (_, i) => `g-${i}`)],
  amr: ['pwd', 'mfa'],
});

/** The role the one-role decision asks for (as POST /token's audience would). */
export const BENCH_ROLE = `poweruser@${team(7)}-dev-0`;

/** The same accounts as `aws organizations list-accounts` prints them (with a tags map per entry): names come back as written here. */
export const organizationsDocument = (): Record<string, unknown> => ({
  Accounts: Object.entries(accountsDocument()).map(([name, value]) => {
    const account = value as { id: string; tags: Record<string, string> };
    return { Id: account.id, Arn: `arn:aws:organizations::999999999999:account/o-bench/${account.id}`, Email: `${name}@example.com`, Name: name, Status: 'ACTIVE', tags: account.tags };
  }),
});

/** The config with its accounts in an Organizations file beside it (the YAML stays small). */
export const benchConfigWithFile = (file: string): Record<string, unknown> => {
  const { accounts: _inline, ...rest } = benchConfigDocument();
  return { ...rest, accountsFile: file };
};
