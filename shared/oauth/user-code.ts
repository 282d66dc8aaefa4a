// Device-grant user codes (RFC 8628 §6.1): 8 letters from a reduced alphabet of consonants (no vowels: no words, no
// look-alike digits), shown as XXXX-XXXX, read back case-insensitively with or without the dash.

import { randomInt } from 'node:crypto';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

export const newUserCode = (): string => Array.from({ length: LENGTH }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');

/** XXXX-XXXX, as the page and the CLI show it. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/** What a person typed → the code, or undefined when it cannot be one (the comparison is then never made). */
export const normaliseUserCode = (typed: string | undefined): string | undefined => {
  if (typed === undefined || typed.length > 32) return undefined;
  const stripped = typed.replace(/[\s-]/g, '');
  // ASCII letters only before upper-casing: `ſ` (U+017F) or `ı` upper-case into the alphabet, two spellings of one code.
  if (!/^[A-Za-z]+$/.test(stripped)) return undefined;
  const code = stripped.toUpperCase();
  return code.length === LENGTH && [...code].every((c) => USER_CODE_ALPHABET.includes(c)) ? code : undefined;
};
