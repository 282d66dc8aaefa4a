// docs/rules.md, conditions: StringLike (`*` and `?` only, pattern characters come only from the config) and
// IpAddress / NotIpAddress (CIDR on broker:sourceIp, IPv4 and IPv6, IPv4-mapped IPv6).
import { describe, expect, it } from 'vitest';
import { evaluateRule, inCidr, isValidCidr, parseCidr } from '../../../shared/rules/index.ts';
import type { Rule } from '../../../shared/rules/index.ts';
import { likeMatch } from '../../../shared/rules/like.ts';
import { check, claimsOf } from '../../support/rules.ts';

describe('StringLike: `*` is any sequence, `?` one character, nothing else is special', () => {
  it.each([
    ['abc', 'a*', true],
    ['a', 'a*', true],
    ['abc', '*c', true],
    ['abc', '*b*', true],
    ['abc', 'a?c', true],
    ['ac', 'a?c', false],
    ['abbc', 'a?c', false],
    ['', '*', true],
    ['', '', true],
    ['a', '', false],
    ['', '?', false],
    ['abc', 'abc', true],
    ['abc', 'ABC', false], // case-sensitive
    ['aws-prod-admin', 'aws-*-admin', true],
    ['aws--admin', 'aws-*-admin', true],
    ['aws-admin', 'aws-*-admin', false],
    ['abcbc', '*bc', true],
    ['abcd', '*bc', false],
    ['mississippi', 'm*iss*ppi', true],
    ['mississippi', 'm*iss*i?pi', true],
    ['mississippi', 'm*x*', false],
    ['a\nb', 'a*b', true],
    ['a\nb', 'a?b', true],
    ['\u{1f600}', '?', true], // one code point, two UTF-16 units
    ['\u{1f600}\u{1f600}', '?', false],
    ['x\u{1f600}y', 'x?y', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false], // `.` is not a regex wildcard
    ['aac', 'a+c', false], // `+` is literal
    ['a', '[ab]', false], // no character classes
    ['[ab]', '[ab]', true],
    ['x', '^x$', false], // no anchors
    ['a\\xb', 'a\\*b', true], // backslash is an ordinary character, the `*` stays a wildcard
    ['a*b', 'a\\*b', false], // and it does not escape the `*`
    ['a(b)', 'a(b)', true],
    ['ab|cd', 'ab|cd', true],
    ['ab', 'ab|cd', false], // no alternation
  ])('likeMatch(%j, %j) is %s', (value, pattern, expected) => {
    expect(likeMatch(value, pattern)).toBe(expected);
  });

  it.each([
    ['a*', 'ab', false], // `*` in a claim value does not match `b`
    ['a*', 'abc', false],
    ['*', 'anything', false],
    ['*', '', false],
    ['a?', 'ab', false], // `?` in a claim value is literal too
    ['?', 'x', false],
    ['*@example.com', 'admin@example.com', false],
    ['a*', 'a*', true], // literally equal still matches
    ['a*', 'a?', true], // the pattern's `?` matches the claim's literal `*`
  ])('a claim value %j is literal against pattern %j (match=%s)', (claim, pattern, expected) => {
    expect(check('StringLike', [claim], [pattern])).toBe(expected);
  });

  it('StringNotLike with a claim value of `*` is true against a pattern it does not literally match', () => {
    expect(check('StringNotLike', ['*'], ['admin'])).toBe(true);
  });

  it('a long hostile value against a many-star pattern is refused (no backtracking blow-up)', () => {
    const value = 'a'.repeat(20_000);
    expect(likeMatch(value, '*a*a*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(likeMatch(`${value}b`, '*a*a*a*a*a*a*a*a*a*a*b')).toBe(true);
  });

  it('ForAnyValue:StringLike matches when one group fits the pattern', () => {
    expect(check('ForAnyValue:StringLike', ['staff', 'aws-admins'], ['aws-*'])).toBe(true);
  });

  it('ForAllValues:StringLike is false when one group does not fit the pattern', () => {
    expect(check('ForAllValues:StringLike', ['aws-a', 'staff'], ['aws-*'])).toBe(false);
  });
});

describe('IpAddress: address in CIDR range', () => {
  it.each([
    // IPv4
    ['10.1.2.3', '10.0.0.0/8', true],
    ['10.0.0.0', '10.0.0.0/8', true],
    ['10.255.255.255', '10.0.0.0/8', true],
    ['11.0.0.0', '10.0.0.0/8', false],
    ['9.255.255.255', '10.0.0.0/8', false],
    ['172.16.0.1', '172.16.0.0/12', true],
    ['172.31.255.255', '172.16.0.0/12', true],
    ['172.32.0.1', '172.16.0.0/12', false],
    ['192.168.1.1', '192.168.1.1', true], // a bare address is a /32
    ['192.168.1.2', '192.168.1.1', false],
    ['192.168.1.1', '192.168.1.1/32', true],
    ['192.168.1.2', '192.168.1.1/32', false],
    ['192.168.1.200', '192.168.1.0/25', false],
    ['192.168.1.100', '192.168.1.0/25', true],
    ['8.8.8.8', '0.0.0.0/0', true],
    ['10.1.2.3', '10.1.2.255/24', true], // host bits in the range are ignored
    // IPv6
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['2001:DB8::1', '2001:db8::/32', true], // hex is case-insensitive
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::/32', true], // long form
    ['2001:db8:0:0:1::1', '2001:db8:0:0::/64', true],
    ['2001:db8:0:1::1', '2001:db8:0:0::/64', false],
    ['::1', '::1/128', true],
    ['::1', '::1', true],
    ['::2', '::1/128', false],
    ['fe80::1234', 'fe80::/10', true],
    ['fec0::1', 'fe80::/10', false],
    ['2001:db8::1', '::/0', true],
    // IPv4-mapped IPv6 addresses are the IPv4 address they carry
    ['::ffff:10.1.2.3', '10.0.0.0/8', true],
    ['::FFFF:10.1.2.3', '10.0.0.0/8', true],
    ['::ffff:a01:203', '10.0.0.0/8', true], // hex form of ::ffff:10.1.2.3
    ['0:0:0:0:0:ffff:10.1.2.3', '10.0.0.0/8', true],
    ['::ffff:11.1.2.3', '10.0.0.0/8', false],
    ['10.1.2.3', '::ffff:10.0.0.0/104', true], // a mapped range is the IPv4 range it covers
    ['::ffff:10.1.2.3', '::ffff:10.0.0.0/104', true],
    ['11.1.2.3', '::ffff:10.0.0.0/104', false],
    // families never mix
    ['10.1.2.3', '2001:db8::/32', false],
    ['2001:db8::1', '10.0.0.0/8', false],
    ['2001:db8::1', '0.0.0.0/0', false],
  ])('%s in %s is %s', (address, range, expected) => {
    expect(check('IpAddress', [address], [range])).toBe(expected);
  });

  it.each([
    ['not-an-ip'],
    [''],
    ['localhost'],
    ['10.1.2'],
    ['10.1.2.3.4'],
    ['256.1.1.1'],
    ['010.1.2.3'], // leading zeros (octal ambiguity)
    ['10.1.2.3/8'], // a range is not an address
    ['0x0a.1.2.3'],
    ['167838211'], // 10.1.2.3 as an integer
    ['fe80::1%eth0'], // zone id
    ['2001:db8::1::1'],
    ['2001:db8:::1'],
    ['::ffff:10.1.2.256'],
  ])('an invalid claim address %j never matches, not even 0.0.0.0/0 or ::/0', (address) => {
    expect(check('IpAddress', [address], ['0.0.0.0/0', '::/0', '10.0.0.0/8', 'fe80::/10'])).toBe(false);
    expect(check('ForAnyValue:IpAddress', [address], ['0.0.0.0/0', '::/0'])).toBe(false);
  });

  it('an invalid condition range never matches', () => {
    expect(check('IpAddress', ['10.1.2.3'], ['10.0.0.0/33'])).toBe(false);
  });

  it('several ranges OR together', () => {
    expect(check('IpAddress', ['192.168.1.1'], ['10.0.0.0/8', '192.168.0.0/16'])).toBe(true);
  });
});

describe('NotIpAddress', () => {
  it.each([
    ['outside the range', ['192.168.1.1'], true],
    ['inside the range', ['10.1.2.3'], false],
    ['IPv4-mapped inside the range', ['::ffff:10.1.2.3'], false],
    ['IPv6 inside the range', ['2001:db8::5'], false],
    ['no address at all (missing claim)', [], true],
    ['an unparseable address matches no range', ['garbage'], true],
  ] as const)('%s', (_name, claim, expected) => {
    expect(check('NotIpAddress', claim, ['10.0.0.0/8', '2001:db8::/32'])).toBe(expected);
  });
});

describe('IpAddress on broker:sourceIp through a rule', () => {
  const rule: Rule = { id: 'office', effect: 'allow', roles: ['x'], conditions: { IpAddress: { 'broker:sourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } };

  it.each([
    ['an office IPv4 address', { 'broker:sourceIp': ['203.0.113.9'] }, true],
    ['an office IPv6 address', { 'broker:sourceIp': ['2001:db8::9'] }, true],
    ['an IPv4-mapped office address', { 'broker:sourceIp': ['::ffff:203.0.113.9'] }, true],
    ['a home address', { 'broker:sourceIp': ['198.51.100.7'] }, false],
    ['no source address', {}, false],
  ] as const)('%s: matched=%s', (_name, claims, expected) => {
    expect(evaluateRule(rule, 'idp', claimsOf(claims)).matched).toBe(expected);
  });
});

describe('parseCidr / isValidCidr', () => {
  it.each([
    ['10.0.0.0/8', true],
    ['10.0.0.0/0', true],
    ['10.0.0.0/32', true],
    ['10.0.0.1', true],
    ['2001:db8::/32', true],
    ['2001:db8::/128', true],
    ['::/0', true],
    ['::ffff:10.0.0.0/96', true],
    ['10.0.0.0/33', false],
    ['10.0.0.0/-1', false],
    ['10.0.0.0/08', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/ 8', false],
    ['10.0.0.0/8.0', false],
    ['10.0.0/8', false],
    ['2001:db8::/129', false],
    ['::ffff:10.0.0.0/95', false], // a mapped range wider than the IPv4 space
    ['fe80::/10%eth0', false],
    ['abc', false],
    ['', false],
  ])('%j valid=%s', (text, valid) => {
    expect(isValidCidr(text)).toBe(valid);
  });

  it('an IPv4-mapped IPv6 range becomes the IPv4 range it covers', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual(parseCidr('10.0.0.0/8'));
  });

  it('host bits are masked off the base', () => {
    expect(parseCidr('10.9.9.9/8')).toEqual(parseCidr('10.0.0.0/8'));
  });

  it('inCidr is false for a v4 address against a v6 range of the same numeric value', () => {
    const v6 = parseCidr('::a01:203/128');
    expect(v6).toBeDefined();
    expect(inCidr('10.1.2.3', v6!)).toBe(false);
  });
});
