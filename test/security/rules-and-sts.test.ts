// docs/rules.md (claims, conditions, session parameters) under attack, end to end through POST /token: claim values that only look like what a
// rule names (`*`, commas, case, Cyrillic and fullwidth look-alikes), prototype names as claim names and values,
// broker keys an IdP tries to supply; then hostile session names and tags, which must reach STS only as values STS
// accepts. Rows name the role they aim at; refusals assert the code and zero STS calls.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { signCompact } from '../support/oidc.ts';
import { ATTR } from '../support/saml-idp.ts';
import { carriesCredentials, codeOf, form, httpEvent, lambdaContext, ROLE_ARNS, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { samlResponse } from '../support/security-browser.ts';
import { expectLegalStsInput, stsInputs, STS_NAME, webIdentityClaims } from '../support/security-sts.ts';

// Taken before any broker code runs in this file: a later change to Object.prototype is pollution.
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
const broker = useBrokerUnderTest({ resetStsEach: true });

type Role = keyof typeof ROLE_ARNS;

const exchange = (subjectToken: string, role: Role, type = 'urn:ietf:params:oauth:token-type:id_token'): Promise<HandlerResult> =>
  broker.handlers.token(
    httpEvent('/token', { body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: type, audience: role }) }),
    lambdaContext,
  );

/** An ID token for alice with `claims` over hers; `extraJson` is appended to the payload text as it is. */
const idToken = (claims: Record<string, unknown> = {}, extraJson = ''): string => {
  const payload = JSON.stringify({ ...broker.oidc.claims(new Date()), ...claims });
  return signCompact(`{"alg":"RS256","kid":"${broker.oidc.key.kid}"}`, extraJson ? payload.replace(/}$/, `,${extraJson}}`) : payload, { key: broker.oidc.key });
};

/** The `contractors` AttributeValue turned into xsi:nil="true" that still has content. */
const nilContractors = (xml: string): string => xml.replace('xsi:type="xs:string">contractors<', 'xsi:nil="true">contractors<');

/** A SAML Response for alice with `attributes` over hers, posted as a saml2 subject token. */
const samlToken = async (attributes: Record<string, string[]>, withoutMfa = false, beforeSigning?: (xml: string) => string): Promise<string> =>
  samlResponse(broker, {
    ...(beforeSigning ? { beforeSigning } : {}),
    user: {
      nameId: 'alice@example.com',
      attributes: { [ATTR.email]: ['alice@example.com'], [ATTR.groups]: ['aws-dev'], ...(withoutMfa ? {} : { amr: ['mfa'] }), ...attributes },
      ...(withoutMfa ? {} : { authnContextClassRef: 'https://refeds.org/profile/mfa' }),
    },
  });

interface RuleRow {
  readonly name: string;
  readonly role: Role;
  /** undefined: the role is granted. */
  readonly code?: ErrorCode;
  readonly token: () => string | Promise<string>;
  readonly saml?: boolean;
}

const ADMIN = { email: 'admin@example.com', groups: ['prod-admins'] };
const admin = (name: string, claims: Record<string, unknown>, extraJson = ''): RuleRow => ({ name: `admin: ${name}`, role: 'admin', code: 'ROLE_NOT_GRANTED', token: () => idToken({ ...ADMIN, ...claims }, extraJson) });
const ops = (name: string, email: string): RuleRow => ({ name: `ops (StringLike ops-*@example.com): ${name}`, role: 'ops', code: 'ROLE_NOT_GRANTED', token: () => idToken({ email }) });
const audit = (name: string, claims: Record<string, unknown>): RuleRow => ({ name: `audit (IgnoreCase kernel|infra): ${name}`, role: 'audit', code: 'ROLE_NOT_GRANTED', token: () => idToken(claims) });
const PROTO_CLAIMS = { toString: 'x', constructor: 'y', hasOwnProperty: 'z' };

const ruleRows: RuleRow[] = [
  // the exact values, granted, in the same table
  { name: 'admin: exactly admin@example.com in prod-admins', role: 'admin', token: () => idToken(ADMIN) },
  { name: 'ops: ops-1@example.com', role: 'ops', token: () => idToken({ email: 'ops-1@example.com' }) },
  { name: 'audit: KERNEL (ASCII case folded)', role: 'audit', token: () => idToken({ department: 'KERNEL' }) },
  { name: 'audit: Infra (ASCII case folded)', role: 'audit', token: () => idToken({ department: 'Infra' }) },
  { name: 'audit: zoë decomposed (NFC-equal)', role: 'audit', token: () => idToken({ email: 'zoe\u0308@example.com' }) },
  // Not a look-alike: U+212A is canonically K, so NFC (docs/rules.md, conditions) makes it K before the ASCII fold (docs/rules.md).
  { name: 'audit: Kelvin sign K is canonically K (NFC singleton)', role: 'audit', token: () => idToken({ department: '\u212aernel' }) },
  { name: 'proto: own claims named toString, constructor, hasOwnProperty', role: 'proto', token: () => idToken(PROTO_CLAIMS) },
  { name: 'proto: SAML attributes named toString, constructor, hasOwnProperty', role: 'proto', saml: true, token: () => samlToken({ toString: ['x'], constructor: ['y'], hasOwnProperty: ['z'] }) },

  // look-alikes of the email a rule names
  admin('Cyrillic а in the email', { email: '\u0430dmin@example.com' }),
  admin('Cyrillic е in the domain', { email: 'admin@\u0435xample.com' }),
  admin('fullwidth letters', { email: '\uff41\uff44\uff4d\uff49\uff4e@example.com' }),
  admin('fullwidth @', { email: 'admin\uff20example.com' }),
  admin('mathematical bold a (NFKC would fold it, NFC does not)', { email: '\u{1d41a}dmin@example.com' }),
  admin('upper case (StringEquals is case-sensitive)', { email: 'ADMIN@example.com' }),
  admin('zero-width joiner inside', { email: 'ad\u200dmin@example.com' }),
  admin('trailing NUL', { email: 'admin@example.com\u0000' }),
  admin('trailing space', { email: 'admin@example.com ' }),
  // group values that are patterns, lists or other spellings
  admin('group "*"', { groups: ['*'] }),
  admin('group "prod-*"', { groups: ['prod-*'] }),
  admin('group "prod-admin?"', { groups: ['prod-admin?'] }),
  admin('one group value with a comma', { groups: ['aws-dev,prod-admins'] }),
  admin('groups as one comma-separated string', { groups: 'aws-dev, prod-admins' }),
  admin('group in upper case', { groups: ['PROD-ADMINS'] }),
  admin('group with a Cyrillic о', { groups: ['pr\u043ed-admins'] }),
  { ...admin('group nested one array deeper', { groups: [['prod-admins']] }), code: 'CLAIM_UNREADABLE' },
  { ...admin('groups as an object', { groups: { 'prod-admins': true } }), code: 'CLAIM_UNREADABLE' },
  // prototype names as claim names and values
  admin('groups ["__proto__", "constructor"]', { groups: ['__proto__', 'constructor', 'toString'] }),
  admin('email "__proto__"', { email: '__proto__' }),
  admin('__proto__ claim carrying the granted values', { email: 'alice@example.com', groups: ['aws-dev'] }, '"__proto__":{"email":"admin@example.com","groups":["prod-admins"]}'),
  // `constructor` is a claim a rule reads (proto-names): an object there refuses the identity.
  { ...admin('constructor.prototype claim carrying the granted values', { groups: ['aws-dev'] }, '"constructor":{"prototype":{"groups":["prod-admins"]}}'), code: 'CLAIM_UNREADABLE' },
  { name: 'proto: none of the claims (inherited names are not claims)', role: 'proto', code: 'ROLE_NOT_GRANTED', token: () => idToken() },
  { name: 'proto: the names only under __proto__', role: 'proto', code: 'ROLE_NOT_GRANTED', token: () => idToken({}, `"__proto__":${JSON.stringify(PROTO_CLAIMS)}`) },
  { name: 'proto: the names with object values', role: 'proto', code: 'CLAIM_UNREADABLE', token: () => idToken({ toString: {}, constructor: {}, hasOwnProperty: {} }) },
  { name: 'admin: SAML attribute __proto__ carrying the group', role: 'admin', code: 'ROLE_NOT_GRANTED', saml: true, token: () => samlToken({ [ATTR.email]: ['admin@example.com'], ['__proto__']: ['prod-admins'], constructor: ['prod-admins'] }) },
  // values the engine cannot read: the deny rule no-contractors (groups) or no-contractor-teams (teams) must not fail open
  { name: 'deny rule: the exact values, refused by no-contractors', role: 'readonly', code: 'DENIED_BY_RULE', token: () => idToken({ groups: ['contractors', 'aws-dev'] }) },
  { name: 'deny rule: groups [["contractors"], "aws-dev"] (a nested array)', role: 'readonly', code: 'CLAIM_UNREADABLE', token: () => idToken({ groups: [['contractors'], 'aws-dev'] }) },
  { name: 'deny rule: groups [{"name":"contractors"}, "aws-dev"] (group objects)', role: 'readonly', code: 'CLAIM_UNREADABLE', token: () => idToken({ groups: [{ name: 'contractors' }, 'aws-dev'] }) },
  { name: 'deny rule: groups {"contractors": true} (an object)', role: 'readonly', code: 'CLAIM_UNREADABLE', token: () => idToken({ groups: { contractors: true } }) },
  { name: 'deny rule: groups ["aws-dev", 1e309] (Infinity)', role: 'readonly', code: 'CLAIM_UNREADABLE', token: () => idToken({ groups: undefined }, '"groups":["aws-dev",1e309]') },
  { name: 'deny rule: groups with null is the groups without it (null is absent)', role: 'readonly', token: () => idToken({ groups: ['aws-dev', null] }) },
  { name: 'deny rule: a JSON-pointer mapping onto team values, refused by no-contractor-teams', role: 'readonly', code: 'DENIED_BY_RULE', token: () => idToken({ org: { teams: ['contractors'] } }) },
  { name: 'deny rule: a JSON-pointer mapping onto team objects [{"name":"contractors"}]', role: 'readonly', code: 'CLAIM_UNREADABLE', token: () => idToken({ org: { teams: [{ name: 'contractors' }] } }) },
  { name: 'deny rule: an object in a claim no rule uses is ignored', role: 'readonly', token: () => idToken({ address: { street: 'x' }, extra: [['y']] }) },
  { name: 'deny rule: SAML groups with the exact value, refused', role: 'readonly', code: 'DENIED_BY_RULE', saml: true, token: () => samlToken({ [ATTR.groups]: ['aws-dev', 'contractors'] }) },
  { name: 'deny rule: SAML AttributeValue xsi:nil="true" with content "contractors"', role: 'readonly', code: 'CLAIM_UNREADABLE', saml: true, token: () => samlToken({ [ATTR.groups]: ['aws-dev', 'contractors'] }, false, nilContractors) },
  { name: 'deny rule: SAML AttributeValue xsi:nil="true" without content is no value', role: 'readonly', saml: true, token: () => samlToken({ [ATTR.groups]: ['aws-dev', 'contractors'] }, false, (x) => nilContractors(x).replace('>contractors</saml:AttributeValue>', '></saml:AttributeValue>')) },
  // StringLike: `*` and `?` only from the config
  ops('"*"', '*'),
  ops('"*@example.com"', '*@example.com'),
  ops('suffix after the domain', 'ops-1@example.com.evil.example'),
  ops('Cyrillic О', '\u041eps-1@example.com'),
  ops('Cyrillic а in the domain', 'ops-1@ex\u0430mple.com'),
  ops('trailing newline', 'ops-1@example.com\n'),
  // IgnoreCase folds ASCII only
  audit('fullwidth k', { department: '\uff4bernel' }),
  audit('Turkish dotted capital İ', { department: '\u0130NFRA' }),
  audit('dotless ı', { department: '\u0131nfra' }),
  audit('fullwidth INFRA', { department: '\uff29\uff2e\uff26\uff32\uff21' }),
  // broker keys come only from the broker
  { name: 'readonly: broker:mfa supplied by the IdP (no MFA)', role: 'readonly', code: 'ROLE_NOT_GRANTED', token: () => idToken({ amr: ['pwd'], 'broker:mfa': true }) },
  { name: 'readonly: broker:mfa as a SAML attribute (no MFA)', role: 'readonly', code: 'ROLE_NOT_GRANTED', saml: true, token: () => samlToken({ 'broker:mfa': ['true'] }, true) },
  { name: 'admin: broker:provider supplied by the IdP', role: 'admin', code: 'ROLE_NOT_GRANTED', token: () => idToken({ email: 'alice@example.com', 'broker:provider': 'corp-saml' }) },
];

describe('rule logic: only the exact values a rule names are granted', () => {
  it.each(ruleRows)('$name', async (row) => {
    const result = await exchange(await row.token(), row.role, row.saml ? 'urn:ietf:params:oauth:token-type:saml2' : undefined);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ RoleArn: ROLE_ARNS[row.role], AccessKeyId: expect.stringMatching(/^ASIA/) });
      expect(broker.stsCalls()).toBe(1);
    } else {
      expect(result.statusCode).toBe(400);
      expect(codeOf(result)).toBe(row.code);
      expect(carriesCredentials(result)).toBe(false);
      expect(broker.stsCalls()).toBe(0);
    }
  });

  it('leaves Object.prototype as it was after every row', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    const probe = {} as Record<string, unknown>;
    for (const name of ['email', 'groups', 'isAdmin', 'polluted', 'x', 'y', 'z']) expect(probe[name]).toBeUndefined();
  });
});

interface StsRow {
  readonly name: string;
  readonly claims: Record<string, unknown>;
  readonly role?: Role;
  /** undefined: issued, and every value STS sees is legal. */
  readonly code?: ErrorCode;
  /** Extra checks on the one STS input. */
  readonly check?: (input: ReturnType<typeof stsInputs>[number]) => void;
}

const suffixOf = (original: string): string => `-${createHash('sha256').update(original.normalize('NFC'), 'utf8').digest('hex').slice(0, 16)}`;
const sanitisedEmail = (email: string) => (input: ReturnType<typeof stsInputs>[number]): void => {
  expect(input.RoleSessionName?.endsWith(suffixOf(email))).toBe(true);
  expect(input.SourceIdentity).toBe(input.RoleSessionName);
};
const tagValue = (key: string) => (input: ReturnType<typeof stsInputs>[number]): string | undefined => input.Tags?.find((t) => t.Key === key)?.Value;

const LONG_LOCAL = 'a'.repeat(60);
const stsRows: StsRow[] = [
  { name: 'a plain email passes unchanged', claims: { email: 'alice@example.com' }, check: (i) => expect(i.RoleSessionName).toBe('alice@example.com') },
  { name: 'exactly 64 legal characters pass unchanged', claims: { email: `${'b'.repeat(52)}@example.com` }, check: (i) => expect(i.RoleSessionName).toBe(`${'b'.repeat(52)}@example.com`) },
  { name: 'illegal characters in the email', claims: { email: 'Zoë Ødegård <zoe@example.com>' }, check: sanitisedEmail('Zoë Ødegård <zoe@example.com>') },
  { name: 'spaces, slashes, quotes, semicolons', claims: { email: `a b/c"d'e;f@example.com` }, check: sanitisedEmail(`a b/c"d'e;f@example.com`) },
  { name: '65+ characters', claims: { email: `${LONG_LOCAL}@example.com` }, check: sanitisedEmail(`${LONG_LOCAL}@example.com`) },
  { name: '300 characters', claims: { email: `${'c'.repeat(288)}@example.com` }, check: (i) => expect(i.RoleSessionName).toHaveLength(64) },
  { name: 'emoji', claims: { email: '😀😀😀@example.com' }, check: sanitisedEmail('😀😀😀@example.com') },
  { name: 'only two emoji', claims: { email: '😀😀' }, check: sanitisedEmail('😀😀') },
  { name: 'control characters', claims: { email: 'a\u0000b\r\nc\t@example.com' }, check: sanitisedEmail('a\u0000b\r\nc\t@example.com') },
  { name: 'bidi override', claims: { email: 'admin\u202egro.elpmaxe@evil.example' }, check: sanitisedEmail('admin\u202egro.elpmaxe@evil.example') },
  { name: 'combining marks', claims: { email: 'e\u0301\u0301\u0301@example.com' } },
  // Another user may simply be called what a sanitised value turns into: such a value is sanitised as well.
  { name: "a legal email shaped like another user's sanitised one", claims: { email: `j-rgen@example.com${suffixOf('j\u00fcrgen@example.com')}` }, check: (i) => { expect(i.RoleSessionName).not.toBe(`j-rgen@example.com${suffixOf('j\u00fcrgen@example.com')}`); expect(i.RoleSessionName?.endsWith(suffixOf(`j-rgen@example.com${suffixOf('j\u00fcrgen@example.com')}`))).toBe(true); } },
  { name: 'a template in the claim value is not expanded', claims: { email: '${department}@example.com', department: 'Platform' }, check: (i) => expect(i.RoleSessionName).not.toContain('Platform') },
  { name: 'tag value with illegal characters and emoji', claims: { department: 'R&D / Ops 🚀 <b>"x"</b>' }, check: (i) => expect(tagValue('Team')(i)).toBe('R-D / Ops - -b--x--/b-') },
  { name: 'tag value of 300 characters', claims: { department: 'd'.repeat(300) }, check: (i) => expect(tagValue('Team')(i)).toHaveLength(256) },
  // STS (and the STS emulator) count UTF-16 units: 256 astral letters are 512 of them.
  { name: 'tag value of 300 astral letters', claims: { department: '\u{1d400}'.repeat(300) }, check: (i) => expect(tagValue('Team')(i)).toBe('\u{1d400}'.repeat(128)) },
  { name: 'tag value of 255 letters and an astral one: the pair is not split', claims: { department: `${'d'.repeat(255)}\u{1d400}` }, check: (i) => expect(tagValue('Team')(i)).toBe('d'.repeat(255)) },
  { name: 'tag value with NUL, newline and tab', claims: { department: 'a\u0000b\nc\td' } },
  { name: 'tag value with combining marks', claims: { department: 'e\u0301\u20dd' } },
  { name: 'tag value empty', claims: { department: '' } },
  { name: 'tag value a number', claims: { department: 42 }, check: (i) => expect(tagValue('Team')(i)).toBe('42') },
  { name: 'tag claim an object: refused, never a tag silently omitted', claims: { department: { evil: true } }, code: 'CLAIM_UNREADABLE' },
  { name: '200 group values joined into one tag', claims: { groups: ['aws-dev', ...Array.from({ length: 199 }, (_, n) => `group-${n}:x`)] }, check: (i) => expect(tagValue('Groups')(i)).toHaveLength(256) },
  { name: 'web identity: hostile name, source identity and tags in the signed token', role: 'web', claims: { groups: ['aws-web'], email: 'Zoë <script>@example.com', department: 'R&D 🚀\u0000' } },
  { name: 'one character', claims: { email: 'a' }, code: 'SESSION_NAME_INVALID' },
  { name: 'one emoji (two UTF-16 units, one character)', claims: { email: '😀' }, code: 'SESSION_NAME_INVALID' },
  { name: 'several values for the session name', claims: { email: ['a@example.com', 'b@example.com'] }, code: 'MULTI_VALUED_CLAIM' },
  { name: 'no value for the session name', claims: { email: undefined }, code: 'MISSING_CLAIM' },
];

describe('STS sanitisation: the STS call carries only legal values', () => {
  it.each(stsRows)('$name', async (row) => {
    const role = row.role ?? 'readonly';
    const claims = { department: 'Platform', ...row.claims };
    // JSON drops a claim whose value is undefined: that is how the missing-claim row removes alice's email.
    const result = await exchange(idToken(claims), role);
    if (row.code !== undefined) {
      expect(codeOf(result)).toBe(row.code);
      expect(carriesCredentials(result)).toBe(false);
      expect(broker.stsCalls()).toBe(0);
      return;
    }
    expect(result.statusCode).toBe(200);
    const inputs = stsInputs(broker);
    expect(inputs).toHaveLength(1);
    const input = inputs[0]!;
    expect(input.RoleArn).toBe(ROLE_ARNS[role]);
    expectLegalStsInput(input);
    row.check?.(input);
  });

  it('gives two users whose emails differ only in illegal characters two session names', async () => {
    await exchange(idToken({ email: 'zoë@example.com' }), 'readonly');
    await exchange(idToken({ email: 'zoé@example.com' }), 'readonly');
    const [first, second] = stsInputs(broker);
    expect(first?.RoleSessionName).toMatch(STS_NAME);
    expect(second?.RoleSessionName).toMatch(STS_NAME);
    expect(first?.RoleSessionName).not.toBe(second?.RoleSessionName);
  });

  it.each([
    ['j\u00fcrgen@example.com', `j-rgen@example.com${suffixOf('j\u00fcrgen@example.com')}`],
    ['j\u00fcrgen@example.com', `j-rgen@example.com${suffixOf('j\u00fcrgen@example.com').toUpperCase()}`],
  ])('gives %j and a user called what it sanitises to (%j) two session names and source identities, also ignoring case', async (a, b) => {
    await exchange(idToken({ email: a }), 'readonly');
    await exchange(idToken({ email: b }), 'readonly');
    const [first, second] = stsInputs(broker);
    expect(first?.RoleSessionName).toBe(`j-rgen@example.com${suffixOf(a)}`);
    // IAM conditions can compare ignoring case (StringEqualsIgnoreCase on aws:SourceIdentity).
    expect(second?.RoleSessionName?.toLowerCase()).not.toBe(first?.RoleSessionName?.toLowerCase());
    expect(second?.SourceIdentity?.toLowerCase()).not.toBe(first?.SourceIdentity?.toLowerCase());
  });

  it('signs web-identity session tags that are legal too', async () => {
    await exchange(idToken({ groups: ['aws-web'], email: 'x y@example.com', department: '\u0000<script>' }), 'web');
    const input = stsInputs(broker)[0];
    const claims = webIdentityClaims(input?.WebIdentityToken ?? '');
    expect(claims.sourceIdentity).toMatch(STS_NAME);
    expect(claims.tags.Team).toEqual(['--script-']);
  });
});
