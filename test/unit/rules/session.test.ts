// docs/rules.md (session parameters, duration): `${claim}` templates, values made legal for STS (every limit), duration negotiation with
// the bound that won.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_INLINE_POLICY,
  MAX_POLICY_ARNS,
  MAX_TAGS,
  MIN_SESSION_SECONDS,
  NAME_MAX,
  NAME_MIN,
  ROLE_CHAINING_CAP,
  STS_MAXIMUM,
  TAG_KEY_MAX,
  TAG_VALUE_MAX,
  buildSession,
  isValidTagKey,
  negotiateDuration,
  renderTemplate,
  sanitiseIdentity,
  sanitiseTagValue,
  templateClaims,
} from '../../../shared/rules/index.ts';
import type { Claims, DurationInput, RoleDef, SessionInput, SessionSpec } from '../../../shared/rules/index.ts';
import { claimsOf } from '../../support/rules.ts';

/** First 16 hex chars of the SHA-256 of the original (NFC), computed independently of the code under test. */
const h16 = (s: string): string => createHash('sha256').update(Buffer.from(s.normalize('NFC'), 'utf8')).digest('hex').slice(0, 16);

const STS_NAME = /^[\w+=,.@-]{2,64}$/;

describe('STS limits (docs/rules.md, session parameters) used by the engine and the config check', () => {
  it.each([
    ['NAME_MIN', NAME_MIN, 2],
    ['NAME_MAX', NAME_MAX, 64],
    ['TAG_KEY_MAX', TAG_KEY_MAX, 128],
    ['TAG_VALUE_MAX', TAG_VALUE_MAX, 256],
    ['MAX_TAGS', MAX_TAGS, 50],
    ['MAX_POLICY_ARNS', MAX_POLICY_ARNS, 10],
    ['MAX_INLINE_POLICY', MAX_INLINE_POLICY, 2048],
  ])('%s is %s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('sanitiseIdentity (RoleSessionName, SourceIdentity)', () => {
  it.each([
    ['alice'],
    ['ab'], // the minimum
    ['alice@example.com'],
    ['a_b+c=d,e.f@g-h'],
    ['UPPER_lower_0123456789'],
    ['x'.repeat(64)], // the maximum
  ])('a legal value %j is unchanged', (value) => {
    expect(sanitiseIdentity(value)).toBe(value);
  });

  it.each([
    ['the empty string', ''],
    ['one ASCII character', 'a'],
    ['one illegal character', ' '],
    ['one non-ASCII character', '\u00e9'],
    ['one astral character', '\u{1f600}'],
  ])('%s is too short (undefined)', (_name, value) => {
    expect(sanitiseIdentity(value)).toBeUndefined();
  });

  it.each([
    ['a space', 'a b', `a-b-${h16('a b')}`],
    ['a non-ASCII letter', 'jos\u00e9', `jos--${h16('jos\u00e9')}`],
    ['two illegal characters only', '\u00e9\u00e9', `---${h16('\u00e9\u00e9')}`],
    ['a slash and a colon', 'dom/user:1', `dom-user-1-${h16('dom/user:1')}`],
    ['an astral character is one character', 'a\u{1f600}b', `a-b-${h16('a\u{1f600}b')}`],
    ['non-ASCII digits are not \\w', 'n\u0663', `n--${h16('n\u0663')}`],
    ['a tab', 'a\tb', `a-b-${h16('a\tb')}`],
  ])('%s becomes "-" and the value gets a hash suffix', (_name, value, expected) => {
    expect(sanitiseIdentity(value)).toBe(expected);
  });

  it('a 65-character legal value is truncated to 64 ending in "-" + 16 hex of the original', () => {
    const value = `${'a'.repeat(60)}bcdef`;
    const out = sanitiseIdentity(value);
    expect(out).toBe(`${'a'.repeat(47)}-${h16(value)}`);
    expect(out).toHaveLength(64);
  });

  it('a long value with an illegal character is truncated to exactly 64', () => {
    const value = `${'a'.repeat(30)} ${'b'.repeat(100)}`;
    const out = sanitiseIdentity(value);
    expect(out).toBe(`${'a'.repeat(30)}-${'b'.repeat(16)}-${h16(value)}`);
    expect(out).toHaveLength(64);
  });

  it.each([
    ['jos\u00e9', 'jos\u00e8'],
    ['m\u00fcller', 'm\u00e4ller'],
    ['\u00e9\u00e9', '\u00e8\u00e8'],
    ['user\u{1f600}', 'user\u{1f601}'],
    ['a b', 'a/b'],
    [`${'a'.repeat(64)}1`, `${'a'.repeat(64)}2`], // differ only after the cut
    // A legal value shaped like another user's sanitised value is sanitised too, so the two never meet.
    ['j\u00fcrgen@example.com', `j-rgen@example.com-${h16('j\u00fcrgen@example.com')}`],
    ['j\u00fcrgen@example.com', `j-rgen@example.com-${h16('j\u00fcrgen@example.com').toUpperCase()}`],
    [`${'a'.repeat(64)}1`, `${'a'.repeat(47)}-${h16(`${'a'.repeat(64)}1`)}`],
  ])('two different users never collide, even ignoring case: %j vs %j', (a, b) => {
    const sa = sanitiseIdentity(a);
    const sb = sanitiseIdentity(b);
    expect(sa).toBeDefined();
    expect(sb).toBeDefined();
    expect(sa?.toLowerCase()).not.toBe(sb?.toLowerCase());
  });

  it.each([
    ['-16 hex, lower case', `alice-${'0123456789abcdef'}`],
    ['-16 hex, upper case', `alice-${'0123456789ABCDEF'}`],
    ['only the suffix shape', `-${'f'.repeat(16)}`],
  ])('a legal value that ends in "-" + 16 hex chars is treated as changed: %s', (_name, value) => {
    expect(sanitiseIdentity(value)).toBe(`${value.slice(0, 64 - 17)}-${h16(value)}`);
  });

  it.each([
    ['-15 hex', `alice-${'a'.repeat(15)}`],
    ['-17 hex', `alice-${'a'.repeat(17)}`],
    ['16 hex without the dash', `alice_${'a'.repeat(16)}`],
    ['16 characters that are not all hex', `alice-${'a'.repeat(15)}g`],
  ])('a legal value with only a similar ending is unchanged: %s', (_name, value) => {
    expect(sanitiseIdentity(value)).toBe(value);
  });

  it('the suffix hashes the NFC form of the original', () => {
    expect(sanitiseIdentity('jose\u0301')).toBe(`jose--${h16('jos\u00e9')}`);
  });

  it.each([
    ['newline', 'alice\nadmin'],
    ['NUL', 'alice\u0000admin'],
    ['right-to-left override', 'alice\u202egnp.exe'],
    ['zero-width joiner', 'ali\u200dce'],
    ['1000 characters', 'z'.repeat(1000)],
    ['all emoji', '\u{1f600}'.repeat(100)],
    ['a lone surrogate', 'ab\ud800cd'],
    ['shell metacharacters', '$(rm -rf /);`id`'],
  ])('the output is always legal for STS: %s', (_name, value) => {
    expect(sanitiseIdentity(value)).toMatch(STS_NAME);
  });
});

describe('sanitiseTagValue', () => {
  it.each([
    ['', ''],
    ['Engineering', 'Engineering'],
    ['a b', 'a b'], // space is \p{Z}
    ['a\u00a0b', 'a\u00a0b'], // no-break space is \p{Z}
    ['a\u2028b', 'a\u2028b'], // line separator is \p{Z}
    ['\u00e4\u00df\u4e2d\u0416', '\u00e4\u00df\u4e2d\u0416'], // letters
    ['\u0663\u00bd\u2460', '\u0663\u00bd\u2460'], // numbers
    ['a_b.c:d/e=f+g-h@i', 'a_b.c:d/e=f+g-h@i'],
    ['a\tb', 'a-b'],
    ['a\nb', 'a-b'],
    ['a,b', 'a-b'], // a comma is legal in names but not in tags
    ['a;b', 'a-b'],
    ['a*b', 'a-b'],
    ['a"b', 'a-b'],
    ['<script>', '-script-'],
    ['\u{1f600}', '-'], // an emoji is one character
    ['e\u0301', 'e-'], // a combining mark is not \p{L}
  ])('%j becomes %j', (value, expected) => {
    expect(sanitiseTagValue(value)).toBe(expected);
  });

  it('256 characters are kept', () => {
    expect(sanitiseTagValue('v'.repeat(256))).toBe('v'.repeat(256));
  });

  it('257 characters are truncated to 256', () => {
    expect(sanitiseTagValue('v'.repeat(257))).toBe('v'.repeat(256));
  });

  it('a letter of the Basic Multilingual Plane is one unit', () => {
    expect(sanitiseTagValue(`${'v'.repeat(255)}\u4e2d\u4e2d`)).toBe(`${'v'.repeat(255)}\u4e2d`);
  });

  it('an astral letter counts two UTF-16 units: 300 of them are cut to 128 (256 units)', () => {
    const out = sanitiseTagValue('\u{1d400}'.repeat(300));
    expect(out).toBe('\u{1d400}'.repeat(128));
    expect(out).toHaveLength(256);
  });

  it('a surrogate pair is never split at the cut', () => {
    expect(sanitiseTagValue(`${'v'.repeat(255)}\u{1d400}`)).toBe('v'.repeat(255));
  });

  it('an illegal character at the cut is replaced before truncation', () => {
    expect(sanitiseTagValue(`${'v'.repeat(255)}\u{1f600}x`)).toBe(`${'v'.repeat(255)}-`);
  });
});

describe('isValidTagKey', () => {
  it.each([
    ['team', true],
    ['k', true],
    ['k'.repeat(128), true],
    ['k'.repeat(129), false],
    ['\u{1d400}'.repeat(64), true], // 128 UTF-16 units
    ['\u{1d400}'.repeat(65), false], // 65 characters, but 130 UTF-16 units
    ['', false],
    ['cost center', true],
    ['aws:team', true],
    ['a,b', false],
    ['a*b', false],
  ])('%j valid=%s', (key, valid) => {
    expect(isValidTagKey(key)).toBe(valid);
  });
});

describe('renderTemplate', () => {
  const claims = claimsOf({
    sub: ['alice'],
    email: ['alice@example.com'],
    groups: ['eng', 'ops'],
    evil: ['${email}'],
    'broker:provider': ['okta'],
  });

  it.each([
    ['a literal', 'fixed', 'single', { ok: true, value: 'fixed' }],
    ['one claim', '${sub}', 'single', { ok: true, value: 'alice' }],
    ['claims and text', '${sub}@${broker:provider}', 'single', { ok: true, value: 'alice@okta' }],
    ['a missing claim (single)', 'u-${nope}', 'single', { ok: false, reason: 'missing', claim: 'nope' }],
    ['a missing claim (joined)', 'u-${nope}', 'joined', { ok: false, reason: 'missing', claim: 'nope' }],
    ['a multi-valued claim (single)', '${groups}', 'single', { ok: false, reason: 'multi-valued', claim: 'groups' }],
    ['a multi-valued claim (joined)', '${groups}', 'joined', { ok: true, value: 'eng:ops' }],
    ['the first failure is reported', '${groups}${nope}', 'single', { ok: false, reason: 'multi-valued', claim: 'groups' }],
    ['a claim value is never expanded again', '${evil}', 'single', { ok: true, value: '${email}' }],
    ['an inherited name is a missing claim', '${constructor}', 'single', { ok: false, reason: 'missing', claim: 'constructor' }],
    ['__proto__ is a missing claim', '${__proto__}', 'joined', { ok: false, reason: 'missing', claim: '__proto__' }],
    ['${} is not a placeholder', 'a${}b', 'single', { ok: true, value: 'a${}b' }],
    ['$sub without braces is literal', '$sub', 'single', { ok: true, value: '$sub' }],
  ] as const)('%s', (_name, template, mode, expected) => {
    expect(renderTemplate(template, claims, mode)).toEqual(expected);
  });

  it.each([['constructor'], ['toString'], ['__proto__'], ['hasOwnProperty']])(
    'a placeholder ${%s} never reads an inherited member, even from a plain object',
    (name) => {
      const plain = { sub: ['alice'] } as Claims;
      expect(renderTemplate(`\${${name}}`, plain, 'joined')).toEqual({ ok: false, reason: 'missing', claim: name });
    },
  );

  it('templateClaims lists the referenced claim names', () => {
    expect(templateClaims('${sub}-${broker:provider}-${sub}')).toEqual(['sub', 'broker:provider', 'sub']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const WEB_ROLE: RoleDef = { arn: 'arn:aws:iam::111122223333:role/ReadOnly', maxSessionSeconds: 43_200, issuance: 'web-identity' };
const CHAINED_ROLE: RoleDef = { arn: 'arn:aws:iam::111122223333:role/Admin', maxSessionSeconds: 43_200, issuance: 'assume-role' };

const CLAIMS = claimsOf({
  sub: ['alice'],
  email: ['alice@example.com'],
  groups: ['eng', 'ops'],
  dept: ['R&D'],
  name: ['Jos\u00e9 P\u00e9rez'],
  short: ['a'],
});

const session = (spec: SessionSpec | undefined, overrides: Partial<SessionInput> = {}) =>
  buildSession({ role: WEB_ROLE, spec, claims: CLAIMS, defaultSeconds: 3600, ...overrides });

describe('buildSession: name and source identity', () => {
  it('without a name template the session name is the subject', () => {
    expect(session(undefined)).toMatchObject({ ok: true, session: { name: 'alice' } });
  });

  it('the default name from the subject is sanitised', () => {
    const claims = claimsOf({ sub: ['CN=Alice Smith'] });
    expect(session(undefined, { claims })).toMatchObject({ ok: true, session: { name: `CN=Alice-Smith-${h16('CN=Alice Smith')}` } });
  });

  it('without a name template and without a subject it denies MISSING_CLAIM', () => {
    expect(session(undefined, { claims: claimsOf({ email: ['a@example.com'] }) })).toMatchObject({ ok: false, code: 'MISSING_CLAIM' });
  });

  it('a multi-valued subject denies MULTI_VALUED_CLAIM', () => {
    expect(session(undefined, { claims: claimsOf({ sub: ['a1', 'a2'] }) })).toMatchObject({ ok: false, code: 'MULTI_VALUED_CLAIM' });
  });

  it('renders the name template', () => {
    expect(session({ name: '${email}' })).toMatchObject({ ok: true, session: { name: 'alice@example.com' } });
  });

  it.each([
    ['name', 'a missing claim', { name: '${phone}' }, 'MISSING_CLAIM'],
    ['name', 'a multi-valued claim', { name: '${groups}' }, 'MULTI_VALUED_CLAIM'],
    ['name', 'a value shorter than 2', { name: '${short}' }, 'SESSION_NAME_INVALID'],
    ['name', 'an empty template', { name: '' }, 'SESSION_NAME_INVALID'],
    ['sourceIdentity', 'a missing claim', { sourceIdentity: '${phone}' }, 'MISSING_CLAIM'],
    ['sourceIdentity', 'a multi-valued claim', { sourceIdentity: '${groups}' }, 'MULTI_VALUED_CLAIM'],
    ['sourceIdentity', 'a value shorter than 2', { sourceIdentity: '${short}' }, 'SOURCE_IDENTITY_INVALID'],
  ] as const)('%s with %s denies %s', (_field, _why, spec, code) => {
    expect(session(spec)).toMatchObject({ ok: false, code });
  });

  it('a literal prefix does not rescue a missing claim in the name', () => {
    expect(session({ name: 'user-${phone}' })).toMatchObject({ ok: false, code: 'MISSING_CLAIM' });
  });

  it('the source identity is rendered and sanitised', () => {
    const original = 'Jos\u00e9 P\u00e9rez';
    expect(session({ sourceIdentity: '${name}' })).toMatchObject({ ok: true, session: { sourceIdentity: `Jos--P-rez-${h16(original)}` } });
  });

  it('no sourceIdentity template means no source identity', () => {
    const result = session({ name: '${sub}' });
    expect(result.ok && result.session.sourceIdentity).toBeUndefined();
  });

  it('a rendered name longer than 64 is truncated with the hash of the rendered original', () => {
    const long = `${'n'.repeat(70)}`;
    const result = session({ name: '${long}' }, { claims: claimsOf({ long: [long] }) });
    expect(result).toMatchObject({ ok: true, session: { name: `${'n'.repeat(47)}-${h16(long)}` } });
  });

  it('names what was changed in its notes, never the value', () => {
    const result = session({ name: '${name}', sourceIdentity: '${sub}' });
    expect(result.ok && result.notes).toEqual([expect.stringMatching(/^session name made legal for STS/)]);
    expect(JSON.stringify(result.ok && result.notes)).not.toContain('P\u00e9rez');
  });
});

describe('buildSession: tags', () => {
  it('a missing claim omits the tag and keeps the others', () => {
    const result = session({ tags: { Phone: '${phone}', Email: '${email}' } });
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && { ...result.session.tags }).toEqual({ Email: 'alice@example.com' });
  });

  it('a multi-valued claim is joined with ":"', () => {
    expect(session({ tags: { Groups: '${groups}' } })).toMatchObject({ ok: true, session: { tags: { Groups: 'eng:ops' } } });
  });

  it('a literal tag value is kept', () => {
    expect(session({ tags: { Source: 'broker' } })).toMatchObject({ ok: true, session: { tags: { Source: 'broker' } } });
  });

  it('tag values are sanitised', () => {
    expect(session({ tags: { Dept: '${dept}' } })).toMatchObject({ ok: true, session: { tags: { Dept: 'R-D' } } });
  });

  it('tag values are truncated to 256 characters', () => {
    const result = session({ tags: { Long: '${long}' } }, { claims: claimsOf({ sub: ['alice'], long: ['t'.repeat(300)] }) });
    expect(result.ok && result.session.tags.Long).toBe('t'.repeat(256));
  });

  it('a tag whose template has a missing claim among present ones is omitted', () => {
    const result = session({ tags: { Both: '${email}/${phone}' } });
    expect(result.ok && Object.keys(result.session.tags)).toEqual([]);
  });

  it('transitive tags keep only the tags that were set', () => {
    const result = session({ tags: { Email: '${email}', Phone: '${phone}' }, transitiveTags: ['Email', 'Phone'] });
    expect(result).toMatchObject({ ok: true, session: { transitiveTags: ['Email'] } });
  });

  it('a tag key named __proto__ is an own tag and leaves the prototype alone', () => {
    const tags = JSON.parse('{"__proto__": "${email}"}') as Record<string, string>;
    const result = session({ tags });
    expect(result.ok && Object.hasOwn(result.session.tags, '__proto__')).toBe(true);
    expect(result.ok && result.session.tags['__proto__']).toBe('alice@example.com');
    expect(({} as Record<string, unknown>).alice).toBeUndefined();
  });

  it('no tags configured means no tags', () => {
    expect(session(undefined)).toMatchObject({ ok: true, session: { tags: {}, transitiveTags: [], policyArns: [] } });
  });
});

describe('buildSession: policies', () => {
  it('an inline policy is minified JSON', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    expect(session({ policy })).toMatchObject({ ok: true, session: { policy: JSON.stringify(policy) } });
  });

  it('no inline policy means undefined', () => {
    const result = session({});
    expect(result.ok && result.session.policy).toBeUndefined();
  });

  it('policy ARNs are passed through', () => {
    const arns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    expect(session({ policyArns: arns })).toMatchObject({ ok: true, session: { policyArns: arns } });
  });
});

describe('buildSession: duration', () => {
  it('records the negotiated duration and the bound that won', () => {
    expect(session({ maxSeconds: 1800 })).toMatchObject({ ok: true, session: { durationSeconds: 1800, durationBoundBy: 'rule' } });
  });

  it('an assume-role role is capped by role chaining', () => {
    expect(session(undefined, { role: CHAINED_ROLE, requestedSeconds: 7200 })).toMatchObject({
      ok: true,
      session: { durationSeconds: 3600, durationBoundBy: 'role-chaining' },
    });
  });

  it('under 900 s denies SESSION_TOO_SHORT', () => {
    expect(session(undefined, { idpSecondsLeft: 600 })).toMatchObject({ ok: false, code: 'SESSION_TOO_SHORT' });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('negotiateDuration (docs/rules.md, duration)', () => {
  const base: DurationInput = { defaultSeconds: 3600, roleMaxSeconds: 43_200, issuance: 'web-identity' };

  it('exports the STS limits', () => {
    expect([MIN_SESSION_SECONDS, ROLE_CHAINING_CAP, STS_MAXIMUM]).toEqual([900, 3600, 43_200]);
  });

  it.each([
    ['requested is the smallest', { requestedSeconds: 1800 }, 1800, 'requested'],
    ['default when nothing is requested', {}, 3600, 'default'],
    ['a request above the default is not capped by the default', { requestedSeconds: 7200 }, 7200, 'requested'],
    ['rule session.maxSeconds', { requestedSeconds: 7200, ruleMaxSeconds: 5400 }, 5400, 'rule'],
    ['role maxSessionSeconds', { requestedSeconds: 7200, roleMaxSeconds: 2000 }, 2000, 'role'],
    ['role chaining caps assume-role at 3600', { requestedSeconds: 7200, issuance: 'assume-role' }, 3600, 'role-chaining'],
    ['web-identity is not capped at 3600', { requestedSeconds: 7200, issuance: 'web-identity' }, 7200, 'requested'],
    ['the STS maximum caps web-identity at 43200', { requestedSeconds: 50_000, roleMaxSeconds: 50_000 }, 43_200, 'sts-maximum'],
    ['the IdP session', { requestedSeconds: 7200, idpSecondsLeft: 1000 }, 1000, 'idp-session'],
    ['the IdP session is rounded down to whole seconds', { idpSecondsLeft: 1000.9 }, 1000, 'idp-session'],
    ['exactly 900 is allowed', { requestedSeconds: 900 }, 900, 'requested'],
    // ties go to the earlier bound: requested/default, rule, role, role-chaining/sts-maximum, idp-session
    ['tie requested = rule → requested', { requestedSeconds: 1800, ruleMaxSeconds: 1800 }, 1800, 'requested'],
    ['tie default = rule → default', { ruleMaxSeconds: 3600 }, 3600, 'default'],
    ['tie rule = role → rule', { requestedSeconds: 7200, ruleMaxSeconds: 2000, roleMaxSeconds: 2000 }, 2000, 'rule'],
    ['tie role = role-chaining → role', { requestedSeconds: 7200, roleMaxSeconds: 3600, issuance: 'assume-role' }, 3600, 'role'],
    ['tie requested = role-chaining → requested', { requestedSeconds: 3600, issuance: 'assume-role' }, 3600, 'requested'],
    ['tie role-chaining = idp-session → role-chaining', { requestedSeconds: 7200, issuance: 'assume-role', idpSecondsLeft: 3600 }, 3600, 'role-chaining'],
    ['tie role = sts-maximum → role', { requestedSeconds: 50_000 }, 43_200, 'role'],
    ['tie sts-maximum = idp-session → sts-maximum', { requestedSeconds: 50_000, roleMaxSeconds: 50_000, idpSecondsLeft: 43_200 }, 43_200, 'sts-maximum'],
    ['tie rule = idp-session → rule', { requestedSeconds: 7200, ruleMaxSeconds: 1200, idpSecondsLeft: 1200 }, 1200, 'rule'],
  ] as const)('%s', (_name, overrides, seconds, boundBy) => {
    expect(negotiateDuration({ ...base, ...overrides })).toEqual({ ok: true, seconds, boundBy });
  });

  it.each([
    ['a request under 900', { requestedSeconds: 899 }, 899, 'requested'],
    ['a default under 900', { defaultSeconds: 600 }, 600, 'default'],
    ['a rule cap under 900', { ruleMaxSeconds: 600 }, 600, 'rule'],
    ['a role cap under 900', { roleMaxSeconds: 800 }, 800, 'role'],
    ['an IdP session ending in under 900 s', { idpSecondsLeft: 899.9 }, 899, 'idp-session'],
    ['an IdP session that already ended', { idpSecondsLeft: -5 }, -5, 'idp-session'],
  ] as const)('%s is SESSION_TOO_SHORT, naming the bound', (_name, overrides, seconds, boundBy) => {
    expect(negotiateDuration({ ...base, ...overrides })).toEqual({ ok: false, code: 'SESSION_TOO_SHORT', seconds, boundBy });
  });
});

describe('the sanitisers’ fast paths (a value already legal is returned as is)', () => {
  // The definitions, character by character, as the docs state them: the fast paths must never disagree.
  const byCharacterIdentity = (original: string): string | undefined => {
    const chars = Array.from(original);
    if (chars.length < NAME_MIN) return undefined;
    const replaced = chars.map((c) => (/^[A-Za-z0-9_+=,.@-]$/.test(c) ? c : '-'));
    if (replaced.join('') === original && chars.length <= NAME_MAX && !/-[0-9a-fA-F]{16}$/.test(original)) return original;
    const suffix = `-${h16(original)}`;
    return replaced.slice(0, NAME_MAX - suffix.length).join('') + suffix;
  };
  const byCharacterTag = (value: string): string => {
    let out = '';
    for (const c of value) {
      const legal = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u.test(c) ? c : '-';
      if (out.length + legal.length > TAG_VALUE_MAX) break;
      out += legal;
    }
    return out;
  };
  const values = fc.oneof(
    // Legal throughout, around the length limits (64 for names, 256 units for tags), some ending like a hash suffix.
    fc.integer({ min: 0, max: 70 }).chain((n) => fc.string({ unit: fc.constantFrom(...'aZ09_+=.@-'.split('')), minLength: n, maxLength: n })),
    fc.tuple(fc.string({ unit: fc.constantFrom(...'aZ09_.@'.split('')), minLength: 1, maxLength: 50 }), fc.stringMatching(/^[0-9a-f]{16}$/)).map(([a, b]) => `${a}-${b}`),
    fc.integer({ min: 250, max: 262 }).chain((n) => fc.string({ unit: fc.constantFrom(...'vä:/ 中'.split('')), minLength: n, maxLength: n })),
    fc.string({ unit: fc.constantFrom(...'aZ09_+=,.@-ä\u00a0 :/*\ud800'.split('')), maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ maxLength: 300 }),
  );

  it('sanitiseIdentity agrees with its character-by-character definition', () => {
    fc.assert(fc.property(values, (v) => sanitiseIdentity(v) === byCharacterIdentity(v)), { numRuns: 2000 });
  });

  it('sanitiseTagValue agrees with its character-by-character definition', () => {
    fc.assert(fc.property(values, (v) => sanitiseTagValue(v) === byCharacterTag(v)), { numRuns: 2000 });
  });
});
