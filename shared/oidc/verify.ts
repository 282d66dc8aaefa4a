// verifyIdToken: one ID token against one provider's policy. Cheap structural checks first, then jose with every
// option pinned, then the checks jose leaves to us (azp, claim shapes). jose errors are translated here, once.

import { errors, jwtVerify, type CryptoKey, type JWTVerifyOptions } from 'jose';
import { BrokerError, type ErrorCode } from '../errors.ts';
import { checkAuthorizedParty } from './azp.ts';
import { copyClaims, type ClaimSet } from '../json/null-prototype.ts';
import { decodeCompact, MAX_TOKEN_LENGTH, type DecodedToken } from '../jose/compact.ts';
import { checkHeader } from './header.ts';
import type { KeyResolver } from './jwks.ts';

export interface TokenPolicy {
  readonly issuer: string;
  /** Accepted `aud` values: the provider's `audiences`, else its `clientId`. */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly typ: readonly string[];
  readonly clockSkewSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly maxTokenLength?: number;
}

export interface VerifiedToken {
  /** Every claim of the token, in null-prototype objects. */
  readonly claims: ClaimSet;
  readonly issuer: string;
  readonly subject: string;
  readonly jti?: string;
  readonly expiresAt: Date;
}

/** Long enough for any real `jti`, short enough for a DynamoDB key (2048 bytes) with its prefix. */
const MAX_JTI_LENGTH = 512;

/** 9999-12-31T23:59:59Z: the last instant an ISO 8601 date (and a SAML xs:dateTime) can name. */
export const MAX_NUMERIC_DATE = 253_402_300_799;

/**
 * RFC 7519 §2 NumericDates as real dates: jose only checks that they are numbers, so `1e13` or `1e309` (Infinity)
 * passed and became a replay-store expiry DynamoDB refuses (a 503 for a malformed token). Every date is finite and
 * between 1970 and 9999, and `exp` is no later than `iat` + the maximum token age + skew: a token is never
 * accepted after that anyway (jose refuses an older `iat`), so nothing it carries needs to outlive it.
 */
const checkNumericDates = (payload: Readonly<Record<string, unknown>>, policy: TokenPolicy): void => {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_NUMERIC_DATE) {
      throw new BrokerError('TOKEN_INVALID', `${claim} is not a NumericDate between 1970 and 9999`);
    }
  }
  const { exp, iat } = payload as { exp: number; iat: number };
  if (exp > iat + policy.maxTokenAgeSeconds + policy.clockSkewSeconds) {
    throw new BrokerError('TOKEN_INVALID', `exp is more than the maximum token age (${policy.maxTokenAgeSeconds} s) after iat`);
  }
};

/** jose's error → our code; anything unforeseen is TOKEN_INVALID. The original is kept as `cause`. */
const codeOf = (error: unknown): ErrorCode => {
  if (error instanceof errors.JWTExpired) return error.claim === 'iat' ? 'TOKEN_TOO_OLD' : 'TOKEN_EXPIRED';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' || error.reason === 'invalid') return 'TOKEN_INVALID';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'TOKEN_NOT_YET_VALID';
    if (error.claim === 'iss') return 'ISSUER_MISMATCH';
    if (error.claim === 'aud') return 'AUDIENCE_MISMATCH';
    return 'TOKEN_INVALID';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'SIGNATURE_INVALID';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'ALGORITHM_NOT_ALLOWED';
  if (error instanceof errors.JWKSNoMatchingKey) return 'UNKNOWN_KEY';
  return 'TOKEN_INVALID';
};

const joseVerify = async (token: string, key: () => Promise<CryptoKey>, options: JWTVerifyOptions): Promise<Record<string, unknown>> => {
  try {
    const { payload } = await jwtVerify(token, key, options);
    return payload;
  } catch (error) {
    if (error instanceof BrokerError) throw error; // from the key resolver: UNKNOWN_KEY, IDP_UNAVAILABLE
    throw new BrokerError(codeOf(error), error instanceof Error ? error.message : 'token verification failed', { cause: error });
  }
};

/** `decoded`: the caller's `decodeCompact(token, MAX_TOKEN_LENGTH)` of this same token, reused rather than redone. */
export const verifyIdToken = async (token: string, policy: TokenPolicy, keys: KeyResolver, now: Date, decoded?: DecodedToken): Promise<VerifiedToken> => {
  const maxLength = policy.maxTokenLength ?? MAX_TOKEN_LENGTH;
  const { header } = decoded !== undefined && maxLength === MAX_TOKEN_LENGTH ? decoded : decodeCompact(token, maxLength);
  const checked = checkHeader(header, policy);
  // Every option pinned: jose alone would accept a missing exp, a future iat, any age (NOTES.md).
  // The key is chosen from the header we parsed strictly, never from one the token carries.
  const payload = await joseVerify(token, () => keys(checked), {
    algorithms: [...policy.algorithms],
    issuer: policy.issuer,
    audience: [...policy.audiences],
    requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
    clockTolerance: policy.clockSkewSeconds,
    maxTokenAge: policy.maxTokenAgeSeconds,
    currentDate: now,
  });
  checkAuthorizedParty(payload, policy.audiences);
  checkNumericDates(payload, policy);
  const { sub, jti, exp } = payload;
  // Stops an empty or non-string subject becoming the identity the rules and the audit log see.
  if (typeof sub !== 'string' || sub === '') throw new BrokerError('TOKEN_INVALID', 'sub must be a non-empty string');
  // Stops jti values that cannot be a replay-store key (objects, huge strings).
  if (jti !== undefined && (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)) {
    throw new BrokerError('TOKEN_INVALID', `jti must be a string of 1–${MAX_JTI_LENGTH} characters`);
  }
  return {
    claims: copyClaims(payload),
    issuer: policy.issuer,
    subject: sub,
    ...(jti === undefined ? {} : { jti }),
    expiresAt: new Date(Number(exp) * 1000),
  };
};
