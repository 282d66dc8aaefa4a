// The claims a config uses: what decides whether an unreadable value refuses an identity, and what a role-picker
// ticket carries (everything any decision on the config can depend on, nothing else).
import { describe, expect, it } from 'vitest';
import { identityInput } from '../../../shared/identity/rules-input.ts';
import { claimsToCarry, usedClaimNames } from '../../../shared/identity/used-claims.ts';
import { baseConfig, configFrom } from '../../support/config.ts';

const SAML_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const SAML_GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
const FACTS = { time: new Date('2026-11-22T12:00:00Z') };

describe('usedClaimNames', () => {
  it('collects condition keys, template claims, mappings, sub, and acr/amr when broker:mfa is used', async () => {
    const names = usedClaimNames(await configFrom(baseConfig()));
    expect([...names].sort()).toEqual(['acr', 'amr', 'department', 'email', 'groups', SAML_EMAIL, SAML_GROUPS, 'sub'].sort());
  });

  it('never lists a broker: key, and leaves acr/amr out when no rule looks at broker:mfa', async () => {
    const data = baseConfig();
    data.rules = [{ id: 'a', roles: ['dev-readonly'], conditions: { StringEquals: { 'broker:provider': 'corp-oidc', team: 'x' } }, session: { tags: { P: '${broker:protocol}' } } }];
    const names = usedClaimNames(await configFrom(data));
    expect([...names].sort()).toEqual(['email', 'groups', SAML_EMAIL, SAML_GROUPS, 'sub', 'team'].sort());
  });

  it('is computed once per config', async () => {
    const config = await configFrom(baseConfig());
    expect(usedClaimNames(config)).toBe(usedClaimNames(config));
  });
});

describe('identityInput: unreadable values of used claims only', () => {
  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['nested arrays in groups (OIDC, through the pointer mapping)', 'corp-oidc', { sub: 'a', realm_access: { roles: [['contractors'], 'aws-dev'] } }, ['groups']],
    ['group objects under the pointer', 'corp-oidc', { sub: 'a', realm_access: { roles: [{ name: 'contractors' }] } }, ['groups']],
    ['an object in a used raw claim', 'corp-oidc', { sub: 'a', department: { name: 'x' } }, ['department']],
    ['an object in a claim no rule uses', 'corp-oidc', { sub: 'a', address: { street: 'x' }, extra: [['y']] }, []],
    ['the pointer source itself is an object (that is what pointers are for)', 'corp-oidc', { sub: 'a', realm_access: { roles: ['aws-dev'] } }, []],
    ['a SAML nil with content under the mapped attribute', 'corp-saml', { sub: ['a'], [SAML_GROUPS]: ['aws-dev', { unreadable: 'nil-with-content' }] }, ['groups', SAML_GROUPS]],
  ])('%s', async (_name, provider, raw, expected) => {
    const config = await configFrom(baseConfig());
    expect(identityInput(config, provider, raw, FACTS).unreadableClaims).toEqual(expected);
  });
});

describe('claimsToCarry: what a role-picker ticket needs', () => {
  it('keeps used claims and mapping sources, drops the rest', async () => {
    const config = await configFrom(baseConfig());
    const raw = { sub: 'alice', email: 'a@example.com', realm_access: { roles: ['aws-dev'] }, picture: 'x'.repeat(1000), address: { street: 'x' } };
    expect({ ...claimsToCarry(config, 'corp-oidc', raw) }).toEqual({ sub: 'alice', email: 'a@example.com', realm_access: { roles: ['aws-dev'] } });
  });

  it('keeps the raw SAML attributes the mappings read', async () => {
    const config = await configFrom(baseConfig());
    const raw = { sub: ['alice'], iss: ['https://idp'], [SAML_EMAIL]: ['a@example.com'], [SAML_GROUPS]: ['aws-dev'], 'urn:oid:2.5.4.42': ['Alice'] };
    expect(Object.keys(claimsToCarry(config, 'corp-saml', raw)).sort()).toEqual([SAML_EMAIL, SAML_GROUPS, 'sub'].sort());
  });

  it('decides exactly as the full claims do', async () => {
    const config = await configFrom(baseConfig());
    const raw = { sub: 'alice', email: 'a@example.com', realm_access: { roles: ['aws-dev', 'prod-admins'] }, amr: ['mfa'], department: 'Platform', other: ['x'] };
    const full = identityInput(config, 'corp-oidc', raw, FACTS);
    const carried = identityInput(config, 'corp-oidc', claimsToCarry(config, 'corp-oidc', raw), FACTS);
    for (const name of usedClaimNames(config)) expect(carried.claims[name]).toEqual(full.claims[name]);
  });
});
