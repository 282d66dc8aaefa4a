// RFC 8628 §6.1 user codes: 8 letters of a 20-consonant alphabet, shown XXXX-XXXX, read back without the dash and
// case-insensitively; anything that cannot be a code is refused before any look-up.

import { describe, expect, it } from 'vitest';
import { formatUserCode, newUserCode, normaliseUserCode, USER_CODE_ALPHABET } from '../../../shared/oauth/user-code.ts';

describe('user codes', () => {
  it('draws 8 letters of the alphabet, no vowels, no digits', () => {
    expect(USER_CODE_ALPHABET).toBe('BCDFGHJKLMNPQRSTVWXZ');
    for (let i = 0; i < 200; i++) expect(newUserCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  });

  it('shows XXXX-XXXX', () => {
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK');
  });

  it.each([
    ['BCDF-GHJK', 'BCDFGHJK'],
    ['BCDFGHJK', 'BCDFGHJK'],
    ['bcdf-ghjk', 'BCDFGHJK'],
    ['  bcdf ghjk ', 'BCDFGHJK'],
    ['Bcdf-Ghjk', 'BCDFGHJK'],
  ])('reads %j as %s', (typed, code) => {
    expect(normaliseUserCode(typed)).toBe(code);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['7 letters', 'BCDF-GHJ'],
    ['9 letters', 'BCDF-GHJKL'],
    ['a vowel', 'ACDF-GHJK'],
    ['a digit', 'BCDF-GHJ1'],
    ['a look-alike outside the alphabet (Y)', 'BCDF-GHJY'],
    ['a non-ASCII letter that upper-cases into the alphabet (long s)', 'BCDF-GHJ\u017F'],
    ['a non-ASCII letter that upper-cases into the alphabet (Kelvin sign)', 'BCDF-GHJ\u212A'],
    ['over 32 characters', `BCDF-GHJK${' '.repeat(30)}`],
    ['another separator', 'BCDF_GHJK'],
  ])('refuses %s', (_name, typed) => {
    expect(normaliseUserCode(typed)).toBeUndefined();
  });
});
