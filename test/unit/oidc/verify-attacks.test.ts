// Every row is the valid token with one mutation, and names the code it must produce. The unmutated token (and
// the mutations that must stay harmless) are rows too, so the table shows the line between accept and refuse.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcVerifier, type VerifyOptions } from '../../../shared/oidc/index.ts';
import type { ErrorCode } from '../../../shared/errors.ts';
import { createTestKey, signCompact, startTestOidcIdp, TEST_NOW, TEST_PROVIDER_ID, type TestKey, type TestOidcIdp } from '../../support/oidc.ts';

let idp: TestOidcIdp;
let attacker: TestKey;
const t = Math.floor(TEST_NOW.getTime() / 1000);

beforeAll(async () => {
  idp = await startTestOidcIdp();
  attacker = createTestKey(idp.key.kid);
});
afterAll(() => idp.close());

type Row = [name: string, expected: ErrorCode | 'ACCEPTED', build: () => string, options?: VerifyOptions];

const swapPayload = (token: string, claims: Record<string, unknown>): string => {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
};
const nested = (depth: number): unknown => (depth === 0 ? 'deep' : { next: nested(depth - 1) });
const claimsText = (): string => JSON.stringify(idp.claims()).slice(1, -1);

const rows: Row[] = [
  ['the unmutated token', 'ACCEPTED', () => idp.mint()],
  // algorithm confusion
  ...['none', 'None', 'NONE', 'nOnE'].map(
    (alg): Row => [`alg ${alg} without signature`, 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg }, signature: { raw: '' } })],
  ),
  ['alg none with a signature', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg: 'none' }, signature: { raw: 'c2ln' } })],
  ['HS256 keyed with the RSA public key (PEM)', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg: 'HS256' }, signature: { hmacSecret: idp.key.publicPem } })],
  ['HS256 keyed with the RSA public key (JWK)', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg: 'HS256' }, signature: { hmacSecret: JSON.stringify(idp.key.publicJwk) } })],
  ['alg in lower case (rs256)', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg: 'rs256' }, signature: { raw: 'c2ln' } })],
  ['alg with a trailing space', 'ALGORITHM_NOT_ALLOWED', () => idp.mint({ header: { alg: 'RS256 ' }, signature: { raw: 'c2ln' } })],
  ['alg missing', 'TOKEN_INVALID', () => idp.mint({ header: { alg: undefined }, signature: { raw: 'c2ln' } })],
  ['PS256 with a key published for RS256 only', 'UNKNOWN_KEY', () => idp.mint({ header: { alg: 'PS256' } })],
  // signature
  ['signed by another key under the same kid', 'SIGNATURE_INVALID', () => idp.mint({ signature: { key: attacker } })],
  ['payload changed after signing', 'SIGNATURE_INVALID', () => swapPayload(idp.mint(), { ...idp.claims(), sub: 'admin' })],
  ['empty signature with RS256', 'SIGNATURE_INVALID', () => idp.mint({ signature: { raw: '' } })],
  // keys chosen by the token
  ['embedded jwk signed by the attacker', 'TOKEN_INVALID', () => idp.mint({ header: { jwk: attacker.publicJwk }, signature: { key: attacker } })],
  ['embedded jwk even with the right key', 'TOKEN_INVALID', () => idp.mint({ header: { jwk: idp.key.publicJwk } })],
  ['jku pointing at an attacker JWKS', 'TOKEN_INVALID', () => idp.mint({ header: { jku: 'https://attacker.example/jwks' } })],
  ['x5u pointing at an attacker certificate', 'TOKEN_INVALID', () => idp.mint({ header: { x5u: 'https://attacker.example/cert.pem' } })],
  ['x5c carrying a certificate chain', 'TOKEN_INVALID', () => idp.mint({ header: { x5c: ['MIIB'] } })],
  ['unknown crit extension', 'TOKEN_INVALID', () => idp.mint({ header: { crit: ['urn:example:ext'], 'urn:example:ext': 1 } })],
  ['crit b64=false (unencoded payload)', 'TOKEN_INVALID', () => idp.mint({ header: { crit: ['b64'], b64: false } })],
  ['unknown kid', 'UNKNOWN_KEY', () => idp.mint({ header: { kid: 'not-a-known-key' } })],
  ['kid outside the key-id format', 'UNKNOWN_KEY', () => idp.mint({ header: { kid: 'a kid with spaces' } })],
  ['kid longer than 128 characters', 'UNKNOWN_KEY', () => idp.mint({ header: { kid: 'k'.repeat(129) } })],
  ['kid that is not a string', 'TOKEN_INVALID', () => idp.mint({ header: { kid: { $ne: null } } })],
  // time
  ['expired beyond the clock skew', 'TOKEN_EXPIRED', () => idp.mint({ claims: { exp: t - 61 } })],
  ['expired within the clock skew', 'ACCEPTED', () => idp.mint({ claims: { exp: t - 30 } })],
  ['nbf in the future', 'TOKEN_NOT_YET_VALID', () => idp.mint({ claims: { nbf: t + 120 } })],
  ['nbf in the future within the skew', 'ACCEPTED', () => idp.mint({ claims: { nbf: t + 30 } })],
  ['iat in the future', 'TOKEN_NOT_YET_VALID', () => idp.mint({ claims: { iat: t + 120 } })],
  ['iat older than maxTokenAgeSeconds', 'TOKEN_TOO_OLD', () => idp.mint({ claims: { iat: t - 3600 - 61, exp: t + 300 } })],
  ['exp as a string', 'TOKEN_INVALID', () => idp.mint({ claims: { exp: String(t + 300) } })],
  ['exp 1e13 (the year 318857)', 'TOKEN_INVALID', () => idp.mint({ claims: { exp: 1e13 } })],
  ['exp 1e309 (Infinity)', 'TOKEN_INVALID', () => idp.mint({ rawPayload: JSON.stringify(idp.claims()).replace(/"exp":\d+/, '"exp":1e309') })],
  ['nbf -1e309 (minus Infinity)', 'TOKEN_INVALID', () => idp.mint({ rawPayload: JSON.stringify(idp.claims()).replace(/}$/, ',"nbf":-1e309}') })],
  ['exp later than iat + the maximum token age + skew', 'TOKEN_INVALID', () => idp.mint({ claims: { iat: t, exp: t + 3600 + 61 } })],
  ['exp exactly iat + the maximum token age + skew', 'ACCEPTED', () => idp.mint({ claims: { iat: t, exp: t + 3600 + 60 } })],
  // issuer and audience
  ['iss of another issuer', 'UNKNOWN_PROVIDER', () => idp.mint({ claims: { iss: 'https://evil.example.com' } })],
  ['iss with a trailing slash', 'UNKNOWN_PROVIDER', () => idp.mint({ claims: { iss: `${idp.issuer}/` } })],
  ['iss of another issuer, provider pinned', 'ISSUER_MISMATCH', () => idp.mint({ claims: { iss: 'https://evil.example.com' } }), { providerId: TEST_PROVIDER_ID }],
  ['aud of another client', 'AUDIENCE_MISMATCH', () => idp.mint({ claims: { aud: 'other-app' } })],
  ['several audiences without azp', 'AUDIENCE_MISMATCH', () => idp.mint({ claims: { aud: [idp.clientId, 'other-app'] } })],
  ['several audiences, azp of another client', 'AUDIENCE_MISMATCH', () => idp.mint({ claims: { aud: [idp.clientId, 'other-app'], azp: 'other-app' } })],
  ['several audiences, azp is us', 'ACCEPTED', () => idp.mint({ claims: { aud: [idp.clientId, 'other-app'], azp: idp.clientId } })],
  ['one audience, azp of another client', 'AUDIENCE_MISMATCH', () => idp.mint({ claims: { azp: 'other-app' } })],
  ['aud holding a non-string', 'TOKEN_INVALID', () => idp.mint({ claims: { aud: [idp.clientId, 7], azp: idp.clientId } })],
  // required claims and their shapes
  ['exp missing', 'TOKEN_INVALID', () => idp.mint({ claims: { exp: undefined } })],
  ['iat missing', 'TOKEN_INVALID', () => idp.mint({ claims: { iat: undefined } })],
  ['sub missing', 'TOKEN_INVALID', () => idp.mint({ claims: { sub: undefined } })],
  ['aud missing', 'TOKEN_INVALID', () => idp.mint({ claims: { aud: undefined } })],
  ['sub empty', 'TOKEN_INVALID', () => idp.mint({ claims: { sub: '' } })],
  ['sub a number', 'TOKEN_INVALID', () => idp.mint({ claims: { sub: 42 } })],
  ['jti an object', 'TOKEN_INVALID', () => idp.mint({ claims: { jti: { id: 1 } } })],
  // token type
  ['typ at+jwt (an access token)', 'TOKEN_INVALID', () => idp.mint({ header: { typ: 'at+jwt' } })],
  ['typ application/at+jwt', 'TOKEN_INVALID', () => idp.mint({ header: { typ: 'application/at+jwt' } })],
  ['typ logout+jwt', 'TOKEN_INVALID', () => idp.mint({ header: { typ: 'logout+jwt' } })],
  ['typ jwt in lower case', 'ACCEPTED', () => idp.mint({ header: { typ: 'jwt' } })],
  ['typ absent', 'ACCEPTED', () => idp.mint({ header: { typ: undefined } })],
  // shape and size
  ['oversized token', 'PAYLOAD_TOO_LARGE', () => idp.mint({ claims: { padding: 'x'.repeat(16 * 1024) } })],
  ['JWE (five parts)', 'TOKEN_INVALID', () => ['eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ', 'a2V5', 'aXY', 'Y2lwaGVy', 'dGFn'].join('.')],
  ['two parts', 'TOKEN_INVALID', () => idp.mint().split('.').slice(0, 2).join('.')],
  ['base64 padding in the header', 'TOKEN_INVALID', () => idp.mint().replace('.', '=.')],
  ['duplicate sub in the payload', 'TOKEN_INVALID', () => idp.mint({ rawPayload: `{${claimsText()},"sub":"admin"}` })],
  ['duplicate sub spelt with an escape', 'TOKEN_INVALID', () => idp.mint({ rawPayload: `{${claimsText()},"\\u0073ub":"admin"}` })],
  ['duplicate alg in the header', 'TOKEN_INVALID', () => idp.mint({ rawHeader: `{"alg":"none","kid":"${idp.key.kid}","alg":"RS256"}` })],
  ['payload that is a JSON array', 'TOKEN_INVALID', () => signCompact(JSON.stringify({ alg: 'RS256', kid: idp.key.kid }), '[1,2]', { key: idp.key })],
  ['claims nested 40 deep', 'TOKEN_INVALID', () => idp.mint({ claims: { deep: nested(40) } })],
];

describe('verify: one mutation of a valid ID token per row', () => {
  it.each(rows)('%s → %s', async (_name, expected, build, options) => {
    const verifier = createOidcVerifier(await idp.config(), { now: () => TEST_NOW });
    const result = verifier.verify(build(), TEST_NOW, options);
    if (expected === 'ACCEPTED') await expect(result).resolves.toMatchObject({ providerId: TEST_PROVIDER_ID, subject: 'alice' });
    else await expect(result).rejects.toMatchObject({ code: expected });
  });
});

describe('verify: claims are plain data', () => {
  it('keeps __proto__ and constructor as ordinary claims in null-prototype objects', async () => {
    const verifier = createOidcVerifier(await idp.config(), { now: () => TEST_NOW });
    const token = idp.mint({ rawPayload: `{${claimsText()},"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}` });

    const { claims } = await verifier.verify(token, TEST_NOW);

    expect(Object.getPrototypeOf(claims)).toBeNull();
    expect(Object.getPrototypeOf(claims.__proto__)).toBeNull();
    expect(Object.keys(claims)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
    expect(JSON.parse(JSON.stringify(claims.__proto__))).toEqual({ isAdmin: true });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect('toString' in claims).toBe(false);
  });

  it('returns the issuer, subject, jti and expiry of the verified token', async () => {
    const verifier = createOidcVerifier(await idp.config(), { now: () => TEST_NOW });

    const identity = await verifier.verify(idp.mint({ claims: { jti: 'jti-1' } }), TEST_NOW);

    expect(identity).toMatchObject({ providerId: TEST_PROVIDER_ID, issuer: idp.issuer, subject: 'alice', jti: 'jti-1', expiresAt: new Date((t + 300) * 1000) });
    expect(identity.claims.groups).toEqual(['aws-dev']);
  });

  it('accepts an audience listed in the provider audiences instead of the client id', async () => {
    const verifier = createOidcVerifier(await idp.config({ audiences: ['mobile-app'] }), { now: () => TEST_NOW });

    await expect(verifier.verify(idp.mint({ claims: { aud: 'mobile-app' } }), TEST_NOW)).resolves.toMatchObject({ subject: 'alice' });
    await expect(verifier.verify(idp.mint(), TEST_NOW)).rejects.toMatchObject({ code: 'AUDIENCE_MISMATCH' });
  });

  it('uses the provider maxTokenAgeSeconds over the broker default', async () => {
    const verifier = createOidcVerifier(await idp.config({ maxTokenAgeSeconds: 300 }), { now: () => TEST_NOW });

    await expect(verifier.verify(idp.mint({ claims: { iat: t - 400 } }), TEST_NOW)).rejects.toMatchObject({ code: 'TOKEN_TOO_OLD' });
  });

  it('refuses an algorithm the provider does not list even when the key would verify it', async () => {
    const verifier = createOidcVerifier(await idp.config({ algorithms: ['ES256'] }), { now: () => TEST_NOW });

    await expect(verifier.verify(idp.mint(), TEST_NOW)).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
  });
});
