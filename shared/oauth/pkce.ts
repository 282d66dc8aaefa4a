// PKCE (RFC 7636) with S256 only: the code challenge the CLI sent with its authorization request, and the verifier it
// must present with the code. `plain` is refused: it protects nothing once the challenge is seen.

import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** base64url of a SHA-256 digest: 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export const isCodeChallenge = (value: string): boolean => CHALLENGE.test(value);

/** True when `verifier` is the one whose S256 challenge is `challenge`. */
export const verifierMatches = (verifier: string | undefined, challenge: string): boolean => {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
};
