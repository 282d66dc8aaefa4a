// PKCE S256 (RFC 7636): the verifier must be one of the RFC's shape whose SHA-256 is the challenge; nothing else.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCodeChallenge, verifierMatches } from '../../../shared/oauth/pkce.ts';

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = createHash('sha256').update(verifier).digest('base64url');

describe('verifierMatches', () => {
  it('accepts the RFC 7636 appendix B example', () => {
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifierMatches(verifier, challenge)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['the challenge itself (plain)', challenge],
    ['one character changed', `${verifier.slice(0, -1)}Y`],
    ['42 characters (too short)', verifier.slice(0, 42)],
    ['129 characters (too long)', 'a'.repeat(129)],
    ['a character outside the unreserved set', `${verifier.slice(0, -1)}+`],
    ['padding', `${verifier}=`],
    ['whitespace', ` ${verifier}`],
  ])('refuses a verifier: %s', (_name, value) => {
    expect(verifierMatches(value, challenge)).toBe(false);
  });

  it('refuses against a challenge of another length', () => {
    expect(verifierMatches(verifier, challenge.slice(0, 42))).toBe(false);
  });
});

describe('isCodeChallenge', () => {
  it.each([
    [challenge, true],
    [challenge.slice(0, 42), false],
    [`${challenge}A`, false],
    [`${challenge.slice(0, 42)}=`, false],
    [`${challenge.slice(0, 42)}+`, false],
    ['', false],
  ])('%s → %s', (value, expected) => {
    expect(isCodeChallenge(value)).toBe(expected);
  });
});
