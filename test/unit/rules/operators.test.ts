// docs/rules.md, conditions: every condition operator over present, missing, empty, scalar and multi-valued claims, with and
// without the ForAnyValue: / ForAllValues: qualifiers; NFC; ASCII-only IgnoreCase; Bool, Null, Numeric, Date.
import { describe, expect, it } from 'vitest';
import {
  OPERATORS,
  conditionValuesToStrings,
  evaluateRule,
  foldAscii,
  isNegated,
  parseDate,
  parseNumber,
  parseOperator,
} from '../../../shared/rules/index.ts';
import type { Claims, OperatorName, Qualifier, Rule } from '../../../shared/rules/index.ts';
import { check, claimsOf } from '../../support/rules.ts';

/** Evaluates one operator key (e.g. `ForAllValues:StringLike`) over a claim's values. */
/** One rule with one condition on claim `c`, evaluated end to end (claims object → getClaim → operator). */
const ruleMatches = (operatorKey: string, conditions: readonly string[], claims: Claims): boolean => {
  const rule: Rule = { id: 'r', effect: 'allow', roles: ['x'], conditions: { [operatorKey]: { c: conditions } } };
  return evaluateRule(rule, 'idp', claims).matched;
};

// ---------------------------------------------------------------------------------------------------------------
// The full matrix. For each operator: condition values, two claim values that match (m, m2) and two that do not
// match the positive form (n, n2). The expected results come from docs/rules.md, conditions, written out, not computed.
// ---------------------------------------------------------------------------------------------------------------

interface Fixture {
  readonly op: Exclude<OperatorName, 'Null'>;
  readonly negated: boolean;
  readonly conditions: readonly string[];
  readonly m: string;
  readonly m2: string;
  readonly n: string;
  readonly n2: string;
}

const FIXTURES: readonly Fixture[] = [
  { op: 'StringEquals', negated: false, conditions: ['admin', 'ops'], m: 'admin', m2: 'ops', n: 'dev', n2: 'Admin' },
  { op: 'StringNotEquals', negated: true, conditions: ['admin', 'ops'], m: 'admin', m2: 'ops', n: 'dev', n2: 'Admin' },
  { op: 'StringEqualsIgnoreCase', negated: false, conditions: ['Admin', 'ops'], m: 'ADMIN', m2: 'Ops', n: 'admins', n2: 'dev' },
  { op: 'StringNotEqualsIgnoreCase', negated: true, conditions: ['Admin', 'ops'], m: 'ADMIN', m2: 'Ops', n: 'admins', n2: 'dev' },
  { op: 'StringLike', negated: false, conditions: ['aws-*', 'ops?'], m: 'aws-admin', m2: 'ops1', n: 'gcp-admin', n2: 'ops12' },
  { op: 'StringNotLike', negated: true, conditions: ['aws-*', 'ops?'], m: 'aws-admin', m2: 'ops1', n: 'gcp-admin', n2: 'ops12' },
  { op: 'Bool', negated: false, conditions: ['true'], m: 'true', m2: 'TRUE', n: 'false', n2: 'yes' },
  { op: 'NumericEquals', negated: false, conditions: ['10'], m: '10', m2: '10.0', n: '11', n2: 'ten' },
  { op: 'NumericNotEquals', negated: true, conditions: ['10'], m: '10', m2: '1e1', n: '11', n2: 'ten' },
  { op: 'NumericLessThan', negated: false, conditions: ['10'], m: '9', m2: '-1', n: '10', n2: 'abc' },
  { op: 'NumericLessThanEquals', negated: false, conditions: ['10'], m: '10', m2: '9.5', n: '10.5', n2: 'x' },
  { op: 'NumericGreaterThan', negated: false, conditions: ['10'], m: '11', m2: '1e3', n: '10', n2: '' },
  { op: 'NumericGreaterThanEquals', negated: false, conditions: ['10'], m: '10', m2: '10.01', n: '9.99', n2: 'NaN' },
  { op: 'DateLessThan', negated: false, conditions: ['2025-01-01T00:00:00Z'], m: '2024-12-31T23:59:59Z', m2: '1700000000', n: '2025-01-01T00:00:00Z', n2: 'yesterday' },
  { op: 'DateGreaterThan', negated: false, conditions: ['2025-01-01T00:00:00Z'], m: '2025-01-01T00:00:01Z', m2: '1800000000', n: '2025-01-01T00:00:00Z', n2: 'not-a-date' },
  { op: 'IpAddress', negated: false, conditions: ['10.0.0.0/8', '2001:db8::/32'], m: '10.1.2.3', m2: '2001:db8::1', n: '192.168.1.1', n2: 'not-an-ip' },
  { op: 'NotIpAddress', negated: true, conditions: ['10.0.0.0/8', '2001:db8::/32'], m: '10.1.2.3', m2: '2001:db8::1', n: '192.168.1.1', n2: 'not-an-ip' },
];

type Shape = 'missing' | 'empty' | '[m]' | '[n]' | '[m,m2]' | '[m,n]' | '[n,n2]';
const SHAPES: readonly Shape[] = ['missing', 'empty', '[m]', '[n]', '[m,m2]', '[m,n]', '[n,n2]'];

// Columns follow SHAPES.
const EXPECTED: Record<'positive' | 'negated', Record<Qualifier, readonly boolean[]>> = {
  positive: {
    none: [false, false, true, false, true, true, false],
    ForAnyValue: [false, false, true, false, true, true, false],
    ForAllValues: [false, false, true, false, true, false, false],
  },
  negated: {
    // no value matches the positive twin: true for a missing claim
    none: [true, true, false, true, false, false, true],
    // some value does not match
    ForAnyValue: [false, false, false, true, false, true, true],
    // every value does not match, and false for a missing or empty claim
    ForAllValues: [false, false, false, true, false, false, true],
  },
};

const claimsFor = (shape: Shape, f: Fixture): Claims => {
  switch (shape) {
    case 'missing':
      return claimsOf({ other: [f.m] });
    case 'empty':
      return claimsOf({ c: [] });
    case '[m]':
      return claimsOf({ c: [f.m] });
    case '[n]':
      return claimsOf({ c: [f.n] });
    case '[m,m2]':
      return claimsOf({ c: [f.m, f.m2] });
    case '[m,n]':
      return claimsOf({ c: [f.m, f.n] });
    case '[n,n2]':
      return claimsOf({ c: [f.n, f.n2] });
  }
};

const QUALIFIERS: readonly Qualifier[] = ['none', 'ForAnyValue', 'ForAllValues'];

const MATRIX = FIXTURES.flatMap((f) =>
  QUALIFIERS.flatMap((q) =>
    SHAPES.map((shape, i) => ({
      key: q === 'none' ? f.op : `${q}:${f.op}`,
      shape,
      fixture: f,
      expected: EXPECTED[f.negated ? 'negated' : 'positive'][q][i] as boolean,
    })),
  ),
);

describe('operator matrix (docs/rules.md, conditions: claims are sets; qualifiers; negation)', () => {
  it.each(MATRIX)('$key on a $shape claim is $expected', ({ key, shape, fixture, expected }) => {
    expect(ruleMatches(key, fixture.conditions, claimsFor(shape, fixture))).toBe(expected);
  });
});

describe('negated operators are exactly those docs/rules.md, conditions names', () => {
  it.each([
    ['StringEquals', false],
    ['StringNotEquals', true],
    ['StringEqualsIgnoreCase', false],
    ['StringNotEqualsIgnoreCase', true],
    ['StringLike', false],
    ['StringNotLike', true],
    ['Bool', false],
    ['Null', false],
    ['NumericEquals', false],
    ['NumericNotEquals', true],
    ['NumericLessThan', false],
    ['NumericLessThanEquals', false],
    ['NumericGreaterThan', false],
    ['NumericGreaterThanEquals', false],
    ['DateLessThan', false],
    ['DateGreaterThan', false],
    ['IpAddress', false],
    ['NotIpAddress', true],
  ] as const)('%s negated=%s', (name, negated) => {
    expect(isNegated(name)).toBe(negated);
  });

  it('the engine knows exactly the operators docs/rules.md, conditions lists', () => {
    expect(Object.keys(OPERATORS).sort()).toEqual(
      [
        'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike',
        'StringNotLike', 'Bool', 'Null', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals',
        'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateLessThan', 'DateGreaterThan', 'IpAddress', 'NotIpAddress',
      ].sort(),
    );
  });
});

describe('parseOperator', () => {
  it.each([
    ['StringEquals', { qualifier: 'none', name: 'StringEquals' }],
    ['ForAnyValue:StringLike', { qualifier: 'ForAnyValue', name: 'StringLike' }],
    ['ForAllValues:NotIpAddress', { qualifier: 'ForAllValues', name: 'NotIpAddress' }],
  ])('parses %s', (key, expected) => {
    expect(parseOperator(key)).toEqual(expected);
  });

  it.each([
    'StringMatches', // not an operator
    'stringequals', // names are case-sensitive
    'ForSomeValues:StringEquals', // unknown qualifier
    'ForAnyValue:', // qualifier without operator
    ':StringEquals', // empty qualifier
    'ForAnyValue:ForAllValues:StringEquals', // two qualifiers
    'StringEqualsIfExists', // IAM's IfExists is not supported
    'toString', // inherited from Object.prototype
    'constructor',
    '__proto__',
    'ForAnyValue:hasOwnProperty',
  ])('rejects %s', (key) => {
    expect(parseOperator(key)).toBeUndefined();
  });
});

describe('NFC: strings are compared after Unicode NFC normalisation', () => {
  it.each([
    ['decomposed claim equals precomposed condition', 'StringEquals', 'cafe\u0301', 'caf\u00e9', true],
    ['precomposed claim equals decomposed condition', 'StringEquals', 'caf\u00e9', 'cafe\u0301', true],
    ['conjoining jamo equal the Hangul syllable', 'StringEquals', '\u1112\u1161\u11ab', '\ud55c', true],
    ['the Angstrom sign is canonically Å', 'StringEquals', '\u212b', '\u00c5', true],
    ['the Kelvin sign is canonically K (NFC singleton, not case folding)', 'StringEquals', '\u212a', 'K', true],
    ['NFC is not NFKC: the ﬁ ligature is not "fi"', 'StringEquals', '\ufb01', 'fi', false],
    ['NFC is not NFKC: fullwidth Ａ is not A', 'StringEquals', '\uff21', 'A', false],
    ['NFC is not NFKC: ① is not 1', 'StringEquals', '\u2460', '1', false],
    ['an accent is significant', 'StringEquals', 'caf\u00e9', 'cafe', false],
    ['StringNotEquals sees decomposed and precomposed as equal', 'StringNotEquals', 'cafe\u0301', 'caf\u00e9', false],
    ['IgnoreCase normalises before folding', 'StringEqualsIgnoreCase', 'CAFE\u0301', 'CAF\u00c9', true],
    ['StringLike: ? matches one composed character', 'StringLike', 'cafe\u0301', 'caf?', true],
    ['StringLike: decomposed pattern matches precomposed claim', 'StringLike', 'caf\u00e9 au lait', 'cafe\u0301*', true],
  ] as const)('%s', (_name, op, claim, condition, expected) => {
    expect(check(op, [claim], [condition])).toBe(expected);
  });
});

describe('IgnoreCase folds ASCII A–Z only', () => {
  it.each([
    ['ADMIN', 'admin', true],
    ['Admin', 'aDMIN', true],
    ['A-Z_09', 'a-z_09', true],
    ['admin', 'admin ', false], // no trimming
    ['\u0131', 'i', false], // dotless ı is not i
    ['\u0131', 'I', false],
    ['\u0130', 'i', false], // dotted İ is not i
    ['\u0130', 'I', false],
    ['\u017f', 's', false], // long ſ is not s
    ['\u017f', 'S', false],
    ['\u01c5', '\u01c6', false], // titlecase ǅ is not ǆ
    ['\u01c5', '\u01c4', false], // nor Ǆ
    ['\u01c5', 'd\u017e', false], // nor "dž"
    ['\u00c9', '\u00e9', false], // É is not é: non-ASCII letters do not fold
    ['\u00c5', '\u00e5', false], // Å is not å
    ['\u212b', '\u00e5', false], // Angstrom sign (NFC Å) is not å
    ['\u00df', 'ss', false], // ß is not ss
    ['STRASSE', 'stra\u00dfe', false],
    ['\ufb00', 'ff', false], // ﬀ is not ff
    ['\uff21', 'a', false], // fullwidth Ａ is not a
    ['\u0391', '\u03b1', false], // Greek Α is not α
    ['\u0410', '\u0430', false], // Cyrillic А is not а
    ['\u0410', 'a', false], // Cyrillic А is not Latin a
  ])('StringEqualsIgnoreCase(%j, %j) is %s', (claim, condition, expected) => {
    expect(check('StringEqualsIgnoreCase', [claim], [condition])).toBe(expected);
  });

  it.each([
    ['\u0131', 'I', true],
    ['\u017f', 's', true],
    ['ADMIN', 'admin', false],
  ])('StringNotEqualsIgnoreCase(%j, %j) is %s', (claim, condition, expected) => {
    expect(check('StringNotEqualsIgnoreCase', [claim], [condition])).toBe(expected);
  });

  it('foldAscii lowers A–Z and leaves every other character alone', () => {
    expect(foldAscii('AZaz@[`{\u00c9\u0130\u212a\u01c5')).toBe('azaz@[`{\u00c9\u0130\u212a\u01c5');
  });

  it('StringEquals stays case-sensitive', () => {
    expect(check('StringEquals', ['Admin'], ['admin'])).toBe(false);
  });
});

describe('Bool compares true/false case-insensitively', () => {
  it.each([
    ['true', 'true', true],
    ['True', 'true', true],
    ['TRUE', 'true', true],
    ['false', 'false', true],
    ['FALSE', 'false', true],
    ['true', 'false', false],
    ['false', 'true', false],
    ['TRUE', 'false', false],
    ['1', 'true', false],
    ['yes', 'true', false],
    [' true', 'true', false],
    ['', 'false', false],
    ['\u0130rue', 'true', false],
  ])('Bool claim %j vs %j is %s', (claim, condition, expected) => {
    expect(check('Bool', [claim], [condition])).toBe(expected);
  });

  it('a YAML boolean condition value is the string "true"', () => {
    const rule: Rule = { id: 'r', effect: 'allow', roles: ['x'], conditions: { Bool: { 'broker:mfa': true } } };
    expect(evaluateRule(rule, 'idp', claimsOf({ 'broker:mfa': ['true'] })).matched).toBe(true);
    expect(evaluateRule(rule, 'idp', claimsOf({ 'broker:mfa': ['false'] })).matched).toBe(false);
  });
});

describe('Null: true means the claim is missing', () => {
  it.each([
    ['missing claim, Null true', undefined, ['true'], true],
    ['missing claim, Null false', undefined, ['false'], false],
    ['empty claim, Null true', [], ['true'], true],
    ['empty claim, Null false', [], ['false'], false],
    ['scalar claim, Null true', ['x'], ['true'], false],
    ['scalar claim, Null false', ['x'], ['false'], true],
    ['multi-valued claim, Null false', ['x', 'y'], ['false'], true],
    ['empty-string value is present', [''], ['false'], true],
    ['condition value is case-insensitive', undefined, ['TRUE'], true],
    ['condition value False is case-insensitive', ['x'], ['False'], true],
    ['true or false: always true when missing', undefined, ['true', 'false'], true],
    ['true or false: always true when present', ['x'], ['true', 'false'], true],
    ['a non-boolean condition value never matches', undefined, ['yes'], false],
  ] as const)('%s', (_name, claim, conditions, expected) => {
    const claims = claim === undefined ? claimsOf({}) : claimsOf({ c: claim });
    expect(ruleMatches('Null', conditions, claims)).toBe(expected);
  });

  it('a claim named after an Object.prototype member is missing when absent', () => {
    const rule: Rule = { id: 'r', effect: 'allow', roles: ['x'], conditions: { Null: { constructor: 'true', toString: 'true' } } };
    expect(evaluateRule(rule, 'idp', claimsOf({})).matched).toBe(true);
  });
});

describe('Numeric operators parse decimal numbers', () => {
  it.each([
    ['NumericEquals', '10', '10', true],
    ['NumericEquals', '10.0', '10', true],
    ['NumericEquals', '+10', '10', true],
    ['NumericEquals', '1e1', '10', true],
    ['NumericEquals', '010', '10', true],
    ['NumericEquals', '.5', '0.5', true],
    ['NumericEquals', '-0', '0', true],
    ['NumericEquals', '0x10', '16', false],
    ['NumericEquals', '0b10', '2', false],
    ['NumericEquals', 'Infinity', 'Infinity', false],
    ['NumericEquals', '1,000', '1000', false],
    ['NumericEquals', '1_000', '1000', false],
    ['NumericEquals', '10abc', '10', false],
    ['NumericEquals', '', '0', false],
    ['NumericEquals', ' ', '0', false],
    ['NumericEquals', '1e400', '1e400', false], // not finite
    ['NumericEquals', '\u0661\u0660', '10', false], // Arabic-Indic digits are not decimal here
    ['NumericLessThan', '9', '10', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThan', '-11', '-10', true],
    ['NumericLessThan', 'abc', '10', false],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericLessThanEquals', '10.000001', '10', false],
    ['NumericGreaterThan', '100', '99.5', true],
    ['NumericGreaterThan', '10', '9', true], // numeric, not lexicographic ('10' < '9' as strings)
    ['NumericGreaterThan', '10', '10', false],
    ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericGreaterThanEquals', '9', '10', false],
    ['NumericNotEquals', '11', '10', true],
    ['NumericNotEquals', '10.0', '10', false],
    ['NumericNotEquals', 'abc', '10', true], // no value equals 10
  ])('%s(%j, %j) is %s', (op, claim, condition, expected) => {
    expect(check(op, [claim], [condition])).toBe(expected);
  });

  it.each([
    ['NumericEquals'],
    ['NumericLessThan'],
    ['NumericLessThanEquals'],
    ['NumericGreaterThan'],
    ['NumericGreaterThanEquals'],
  ])('%s never matches a non-numeric claim value, even under ForAnyValue', (op) => {
    for (const value of ['abc', '', 'NaN', 'Infinity', '-Infinity', '0x0', 'null', 'true']) {
      expect(check(op, [value], ['0'])).toBe(false);
      expect(check(`ForAnyValue:${op}`, [value], ['0'])).toBe(false);
    }
  });

  it.each([
    ['42', 42],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['abc', undefined],
    ['', undefined],
    ['0x1f', undefined],
    ['Infinity', undefined],
  ])('parseNumber(%j) is %s', (text, expected) => {
    expect(parseNumber(text)).toBe(expected);
  });
});

describe('Date operators on ISO 8601 or epoch seconds', () => {
  const NOON = '2025-06-01T12:00:00Z';
  it.each([
    ['DateLessThan', '2025-06-01T11:59:59Z', NOON, true],
    ['DateLessThan', NOON, NOON, false],
    ['DateLessThan', '2025-06-01T12:00:00.001Z', NOON, false],
    ['DateLessThan', '2025-06-01T11:59:59.999Z', NOON, true],
    ['DateLessThan', '2025-06-01T13:59:59+02:00', NOON, true], // 11:59:59Z
    ['DateLessThan', '2025-06-01T14:00:01+02:00', NOON, false], // 12:00:01Z
    ['DateLessThan', '2025-05-31', NOON, true],
    ['DateLessThan', '1748779199', NOON, true], // epoch seconds for 11:59:59Z
    ['DateLessThan', '1748779200', NOON, false], // epoch seconds for 12:00:00Z
    ['DateLessThan', '2025-06-01T11:00:00Z', '1748779200', true], // epoch condition value
    ['DateLessThan', '1748779200000', NOON, false], // milliseconds are not epoch seconds
    ['DateLessThan', 'yesterday', NOON, false],
    ['DateLessThan', '', NOON, false],
    ['DateLessThan', 'Sun, 01 Jun 2025 11:00:00 GMT', NOON, false], // RFC 2822 is not ISO 8601
    ['DateLessThan', '2025-13-45T00:00:00Z', NOON, false], // impossible date
    ['DateGreaterThan', '2025-06-01T12:00:01Z', NOON, true],
    ['DateGreaterThan', NOON, NOON, false],
    ['DateGreaterThan', '1748779201', NOON, true],
    ['DateGreaterThan', '2025-06-01T12:00:00-00:01', NOON, true], // 12:01:00Z
    ['DateGreaterThan', 'tomorrow', NOON, false],
  ])('%s(%j, %j) is %s', (op, claim, condition, expected) => {
    expect(check(op, [claim], [condition])).toBe(expected);
  });

  it.each([
    ['2025-06-01T12:00:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T14:00:00+02:00', Date.UTC(2025, 5, 1, 12)],
    ['1748779200', Date.UTC(2025, 5, 1, 12)],
    ['0', 0],
    ['June 1, 2025', undefined],
    ['2025-06-01T12:00:00Zjunk', undefined],
  ])('parseDate(%j) is %s', (text, expected) => {
    expect(parseDate(text)).toBe(expected);
  });

  it('DateLessThan on broker:time compares the request time passed in', () => {
    const rule: Rule = { id: 'r', effect: 'allow', roles: ['x'], conditions: { DateLessThan: { 'broker:time': '2025-07-01T00:00:00Z' } } };
    expect(evaluateRule(rule, 'idp', claimsOf({ 'broker:time': ['2025-06-30T23:59:59.000Z'] })).matched).toBe(true);
    expect(evaluateRule(rule, 'idp', claimsOf({ 'broker:time': ['2025-07-01T00:00:00.000Z'] })).matched).toBe(false);
  });
});

describe('checkValue rejects condition values the engine could never use', () => {
  it.each([
    ['NumericEquals', '10', true],
    ['NumericEquals', 'ten', false],
    ['DateLessThan', '2025-01-01T00:00:00Z', true],
    ['DateLessThan', '1735689600', true],
    ['DateLessThan', 'next week', false],
    ['Bool', 'TRUE', true],
    ['Bool', 'yes', false],
    ['Null', 'false', true],
    ['Null', '0', false],
    ['IpAddress', '10.0.0.0/8', true],
    ['IpAddress', '10.0.0.0/33', false],
    ['NotIpAddress', '2001:db8::/32', true],
    ['NotIpAddress', 'localhost', false],
    ['StringLike', 'anything*', true],
  ] as const)('%s %j usable=%s', (op, value, usable) => {
    expect(OPERATORS[op].checkValue(value) === undefined).toBe(usable);
  });
});

describe('conditionValuesToStrings', () => {
  it.each([
    ['a string', 'admin', ['admin']],
    ['a number', 10, ['10']],
    ['a boolean', true, ['true']],
    ['a list', ['a', 2, false], ['a', '2', 'false']],
    ['null and objects are dropped', ['a', null, { b: 1 }], ['a']],
  ])('%s', (_name, raw, expected) => {
    expect(conditionValuesToStrings(raw)).toEqual(expected);
  });
});

describe('AND / OR structure of a condition block', () => {
  const claims = claimsOf({ groups: ['eng', 'ops'], dept: ['R&D'], email: ['a@example.com'] });
  const matches = (conditions: Rule['conditions']): boolean =>
    evaluateRule({ id: 'r', effect: 'allow', roles: ['x'], conditions }, 'idp', claims).matched;

  it('several values for one key OR together', () => {
    expect(matches({ StringEquals: { dept: ['Sales', 'R&D'] } })).toBe(true);
  });

  it('several values for one key: none matching is false', () => {
    expect(matches({ StringEquals: { dept: ['Sales', 'HR'] } })).toBe(false);
  });

  it('keys inside one operator AND together (both true)', () => {
    expect(matches({ StringEquals: { dept: 'R&D', groups: 'eng' } })).toBe(true);
  });

  it('keys inside one operator AND together (one false)', () => {
    expect(matches({ StringEquals: { dept: 'R&D', groups: 'finance' } })).toBe(false);
  });

  it('operators AND together (both true)', () => {
    expect(matches({ StringEquals: { dept: 'R&D' }, StringLike: { email: '*@example.com' } })).toBe(true);
  });

  it('operators AND together (one false)', () => {
    expect(matches({ StringEquals: { dept: 'R&D' }, StringLike: { email: '*@example.org' } })).toBe(false);
  });

  it('an empty condition block matches', () => {
    expect(matches({})).toBe(true);
  });

  it('an operator with no keys matches', () => {
    expect(matches({ StringEquals: {} })).toBe(true);
  });

  it('an unknown operator never matches', () => {
    expect(matches({ StringEqualsMaybe: { dept: 'R&D' } })).toBe(false);
  });

  it('an empty list of condition values never matches a positive operator', () => {
    expect(matches({ StringLike: { dept: [] } })).toBe(false);
  });

  it('a claim value is matched against the condition, not the other way round (no substring match)', () => {
    expect(matches({ StringEquals: { dept: 'R' } })).toBe(false);
  });
});

describe('ForAllValues is false for a missing or empty claim (no vacuous truth)', () => {
  it.each([
    'ForAllValues:StringEquals',
    'ForAllValues:StringNotEquals',
    'ForAllValues:StringLike',
    'ForAllValues:StringNotLike',
    'ForAllValues:NumericLessThan',
    'ForAllValues:NotIpAddress',
  ])('%s over no values', (key) => {
    expect(check(key, [], ['x'])).toBe(false);
  });
});
