// docs/security.md OIDC, end to end: every row is one mutation of a valid ID token from the test IdP, posted to POST /token
// and POST /roles through the exported handlers; a few rows arrive through the browser callback instead (the ID
// token the IdP's token endpoint returns). Each row asserts its stable code and that nothing was issued.

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { createTestKey, signCompact, type MintOptions } from '../support/oidc.ts';
import { Browser, carriesCredentials, codeOf, form, httpEvent, lambdaContext, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';

// Taken before any broker code runs in this file: a later change to Object.prototype is pollution.
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
const broker = useBrokerUnderTest({ resetStsEach: true });

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const t = (): number => Math.floor(Date.now() / 1000);
const b64 = (s: string): string => Buffer.from(s).toString('base64url');

const mint = (options: MintOptions = {}): string => broker.oidc.mint({ now: new Date(), ...options });
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...broker.oidc.claims(new Date()), ...extra });
const header = (): string => `{"alg":"RS256","kid":"${broker.oidc.key.kid}"}`;
/** Header and payload as exact JSON text, signed by the IdP's key. */
const raw = (header: string, payload: string): string => signCompact(header, payload, { key: broker.oidc.key });

const post = (handler: 'token' | 'roles', subjectToken: string): Promise<HandlerResult> => {
  const fields: Record<string, string> = { subject_token: subjectToken, subject_token_type: ID_TOKEN, audience: 'readonly' };
  if (handler === 'token') fields.grant_type = TOKEN_EXCHANGE;
  return broker.handlers[handler](httpEvent(`/${handler}`, { body: form(fields) }), lambdaContext);
};

interface Row {
  readonly name: string;
  /** undefined: the token is accepted. */
  readonly code?: ErrorCode;
  readonly token: () => string;
}

const attacker = createTestKey('test-key-1');
const rows: Row[] = [
  // the valid inputs, in the same table
  { name: 'valid ID token', token: () => mint() },
  { name: 'valid: typ application/jwt', token: () => mint({ header: { typ: 'application/jwt' } }) },
  { name: 'valid: no typ at all', token: () => mint({ header: { typ: undefined } }) },
  { name: 'valid: exp passed but within the clock skew', token: () => mint({ claims: { iat: t() - 120, exp: t() - 20 } }) },
  // (an object under `constructor`, a claim a rule of this suite reads, is refused: test/security/rules-and-sts.test.ts)
  { name: 'valid: __proto__ and constructor claims are ordinary claims', token: () => raw(header(), JSON.stringify(claims()).replace(/}$/, ',"__proto__":{"isAdmin":true},"constructor":"x"}')) },

  // alg
  ...['none', 'None', 'NONE', 'nOnE'].map((alg): Row => ({ name: `alg ${alg}`, code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg }, signature: { raw: '' } }) })),
  { name: 'alg none with a signature', code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg: 'none' }, signature: { raw: 'c2ln' } }) },
  { name: 'HS256 keyed with the RSA public key (PEM)', code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg: 'HS256' }, signature: { hmacSecret: broker.oidc.key.publicPem } }) },
  { name: 'HS256 keyed with the public JWK', code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg: 'HS256' }, signature: { hmacSecret: JSON.stringify(broker.oidc.key.publicJwk) } }) },
  { name: 'HS512 keyed with the RSA public key', code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg: 'HS512' }, signature: { hmacSecret: broker.oidc.key.publicPem } }) },
  { name: 'RS256 header over an HMAC signature', code: 'SIGNATURE_INVALID', token: () => mint({ signature: { hmacSecret: broker.oidc.key.publicPem } }) },
  { name: 'an algorithm outside the allow-list (RS512)', code: 'ALGORITHM_NOT_ALLOWED', token: () => mint({ header: { alg: 'RS512' } }) },
  { name: 'alg missing', code: 'TOKEN_INVALID', token: () => mint({ header: { alg: undefined }, signature: { raw: 'c2ln' } }) },
  { name: 'signature stripped', code: 'SIGNATURE_INVALID', token: () => mint().replace(/[^.]+$/, '') },

  // keys: only the issuer's JWKS
  { name: 'embedded jwk (attacker key, signed with it)', code: 'TOKEN_INVALID', token: () => mint({ header: { jwk: attacker.publicJwk }, signature: { key: attacker } }) },
  { name: 'jku pointing at the attacker', code: 'TOKEN_INVALID', token: () => mint({ header: { jku: 'http://127.0.0.1:9/jwks' }, signature: { key: attacker } }) },
  { name: 'x5u pointing at the attacker', code: 'TOKEN_INVALID', token: () => mint({ header: { x5u: 'http://127.0.0.1:9/cert.pem' }, signature: { key: attacker } }) },
  { name: 'x5c with the attacker certificate', code: 'TOKEN_INVALID', token: () => mint({ header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] }, signature: { key: attacker } }) },
  { name: 'unknown crit extension', code: 'TOKEN_INVALID', token: () => mint({ header: { crit: ['exp-ext'], 'exp-ext': true } }) },
  { name: 'crit b64=false', code: 'TOKEN_INVALID', token: () => mint({ header: { crit: ['b64'], b64: false } }) },
  { name: 'unknown kid (signed by another key)', code: 'UNKNOWN_KEY', token: () => mint({ header: { kid: 'not-a-key' }, signature: { key: createTestKey('not-a-key') } }) },
  { name: 'random kid', code: 'UNKNOWN_KEY', token: () => mint({ header: { kid: crypto.randomUUID() } }) },
  { name: 'kid with path traversal', code: 'UNKNOWN_KEY', token: () => mint({ header: { kid: '../../../../dev/null' } }) },
  { name: 'kid that is not a string', code: 'TOKEN_INVALID', token: () => mint({ header: { kid: { $ne: null } } }) },
  { name: 'a key not in the JWKS under the known kid', code: 'SIGNATURE_INVALID', token: () => mint({ signature: { key: attacker } }) },
  { name: 'payload changed under the signature', code: 'SIGNATURE_INVALID', token: () => { const [h, , s] = mint().split('.'); return `${h}.${b64(JSON.stringify(claims({ sub: 'admin' })))}.${s}`; } },

  // times
  { name: 'expired', code: 'TOKEN_EXPIRED', token: () => mint({ claims: { iat: t() - 7200, exp: t() - 3600 } }) },
  { name: 'nbf in the future', code: 'TOKEN_NOT_YET_VALID', token: () => mint({ claims: { nbf: t() + 3600 } }) },
  { name: 'iat in the future', code: 'TOKEN_NOT_YET_VALID', token: () => mint({ claims: { iat: t() + 3600, exp: t() + 7200 } }) },
  { name: 'iat older than the maximum token age', code: 'TOKEN_TOO_OLD', token: () => mint({ claims: { iat: t() - 86_400, exp: t() + 300 } }) },
  { name: 'exp as a string', code: 'TOKEN_INVALID', token: () => mint({ claims: { exp: String(t() + 300) } }) },
  // NumericDates that are no real dates (jose checks only that they are numbers)
  { name: 'exp 1e13 (the year 318857)', code: 'TOKEN_INVALID', token: () => mint({ claims: { exp: 1e13 } }) },
  { name: 'exp 1e309 (Infinity)', code: 'TOKEN_INVALID', token: () => raw(header(), JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e309')) },
  { name: 'nbf -1e309 (minus Infinity)', code: 'TOKEN_INVALID', token: () => raw(header(), JSON.stringify(claims({ nbf: 0 })).replace('"nbf":0', '"nbf":-1e309')) },
  { name: 'nbf negative (before 1970)', code: 'TOKEN_INVALID', token: () => mint({ claims: { nbf: -1 } }) },
  { name: 'exp later than iat + the maximum token age + skew', code: 'TOKEN_INVALID', token: () => mint({ claims: { iat: t(), exp: t() + 3600 + 61 } }) },
  { name: 'valid: exp exactly iat + the maximum token age + skew', token: () => mint({ claims: { iat: t(), exp: t() + 3600 + 60 } }) },
  { name: 'valid: fractional NumericDates', token: () => mint({ claims: { iat: t() - 0.5, nbf: t() - 0.5, exp: t() + 299.5 } }) },

  // who it is for, who issued it
  { name: 'wrong iss', code: 'UNKNOWN_PROVIDER', token: () => mint({ claims: { iss: 'https://evil.example.com' } }) },
  { name: 'iss with a trailing slash', code: 'UNKNOWN_PROVIDER', token: () => mint({ claims: { iss: `${broker.oidc.issuer}/` } }) },
  { name: 'iss in other case', code: 'UNKNOWN_PROVIDER', token: () => mint({ claims: { iss: broker.oidc.issuer.toUpperCase() } }) },
  { name: 'wrong aud', code: 'AUDIENCE_MISMATCH', token: () => mint({ claims: { aud: 'someone-else' } }) },
  { name: 'extra audience without azp', code: 'AUDIENCE_MISMATCH', token: () => mint({ claims: { aud: [broker.oidc.clientId, 'someone-else'] } }) },
  { name: 'azp of another client', code: 'AUDIENCE_MISMATCH', token: () => mint({ claims: { aud: [broker.oidc.clientId, 'someone-else'], azp: 'someone-else' } }) },
  { name: 'aud an empty array', code: 'AUDIENCE_MISMATCH', token: () => mint({ claims: { aud: [] } }) },
  { name: 'aud an object', code: 'AUDIENCE_MISMATCH', token: () => mint({ claims: { aud: { [broker.oidc.clientId]: true } } }) },

  // required claims and their shapes
  { name: 'missing exp', code: 'TOKEN_INVALID', token: () => mint({ claims: { exp: undefined } }) },
  { name: 'missing iat', code: 'TOKEN_INVALID', token: () => mint({ claims: { iat: undefined } }) },
  { name: 'missing sub', code: 'TOKEN_INVALID', token: () => mint({ claims: { sub: undefined } }) },
  { name: 'sub empty', code: 'TOKEN_INVALID', token: () => mint({ claims: { sub: '' } }) },
  { name: 'sub a number', code: 'TOKEN_INVALID', token: () => mint({ claims: { sub: 42 } }) },
  { name: 'jti an object', code: 'TOKEN_INVALID', token: () => mint({ claims: { jti: { a: 1 } } }) },

  // token shape
  { name: 'oversized', code: 'PAYLOAD_TOO_LARGE', token: () => mint({ claims: { padding: 'x'.repeat(20_000) } }) },
  { name: 'JWE (five parts)', code: 'TOKEN_INVALID', token: () => `${b64('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d` },
  { name: 'JWS JSON serialisation', code: 'TOKEN_INVALID', token: () => JSON.stringify({ payload: b64('{}'), signatures: [] }) },
  { name: 'duplicate member in the payload', code: 'TOKEN_INVALID', token: () => raw(header(), JSON.stringify(claims()).replace(/}$/, ',"sub":"admin"}')) },
  { name: 'duplicate member in the header', code: 'TOKEN_INVALID', token: () => raw(`{"alg":"none","kid":"${broker.oidc.key.kid}","alg":"RS256"}`, JSON.stringify(claims())) },
  { name: 'duplicate member, escaped spelling', code: 'TOKEN_INVALID', token: () => raw(header(), JSON.stringify(claims()).replace(/}$/, ',"\\u0073ub":"admin"}')) },
  { name: 'payload nested 40 deep', code: 'TOKEN_INVALID', token: () => mint({ claims: { deep: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) } }) },
  { name: 'payload not an object', code: 'TOKEN_INVALID', token: () => raw(header(), '["sub","admin"]') },
  { name: 'padding in a segment', code: 'TOKEN_INVALID', token: () => mint().replace('.', '==.') },
  { name: 'whitespace inside', code: 'TOKEN_INVALID', token: () => mint().replace('.', ' .') },
  { name: 'garbage', code: 'TOKEN_INVALID', token: () => 'not-a-jwt' },
  { name: 'payload not UTF-8', code: 'TOKEN_INVALID', token: () => `${b64(`{"alg":"RS256","kid":"${broker.oidc.key.kid}"}`)}.${Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')}.c2ln` },
  { name: 'typ at+jwt (an access token)', code: 'TOKEN_INVALID', token: () => mint({ header: { typ: 'at+jwt' } }) },
  { name: 'typ logout+jwt', code: 'TOKEN_INVALID', token: () => mint({ header: { typ: 'logout+jwt' } }) },
  { name: 'typ a number', code: 'TOKEN_INVALID', token: () => mint({ header: { typ: 1 } }) },
];

const expectRefused = (result: HandlerResult, code: ErrorCode): void => {
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expect(codeOf(result)).toBe(code);
  expect(carriesCredentials(result)).toBe(false);
};

describe('OIDC ID tokens on POST /token: one mutation each', () => {
  it.each(rows)('$name', async (row) => {
    const result = await post('token', row.token());
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ AccessKeyId: expect.stringMatching(/^ASIA/) });
      expect(broker.stsCalls()).toBe(1);
    } else {
      expectRefused(result, row.code);
      expect(broker.stsCalls()).toBe(0);
    }
  });
});

describe('OIDC ID tokens on POST /roles: the same table', () => {
  it.each(rows)('$name', async (row) => {
    const result = await post('roles', row.token());
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body).roles).toContainEqual(expect.objectContaining({ id: 'readonly' }));
    } else {
      expectRefused(result, row.code);
      expect(result.body).not.toContain('"roles"');
    }
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('OIDC ID tokens through the browser callback (the IdP token endpoint answers)', () => {
  const callbackRows: Row[] = [
    { name: 'valid ID token', token: () => '' },
    { name: 'alg none', code: 'FLOW_INVALID', token: () => 'none' },
    { name: 'signed by a key not in the JWKS', code: 'SIGNATURE_INVALID', token: () => 'attacker' },
    { name: 'wrong aud', code: 'AUDIENCE_MISMATCH', token: () => 'aud' },
    { name: 'expired', code: 'TOKEN_EXPIRED', token: () => 'expired' },
    { name: 'nonce of another flow', code: 'TOKEN_INVALID', token: () => 'nonce' },
  ];
  const idTokenFor = (kind: string, nonce: string): string => {
    const now = new Date();
    switch (kind) {
      case 'none':
        return broker.oidc.mint({ now, header: { alg: 'none' }, claims: { nonce }, signature: { raw: '' } });
      case 'attacker':
        return broker.oidc.mint({ now, claims: { nonce }, signature: { key: attacker } });
      case 'aud':
        return broker.oidc.mint({ now, claims: { nonce, aud: 'someone-else' } });
      case 'expired':
        return broker.oidc.mint({ now, claims: { nonce, iat: t() - 7200, exp: t() - 3600 } });
      case 'nonce':
        return broker.oidc.mint({ now, claims: { nonce: 'another-flows-nonce' } });
      default:
        return broker.oidc.mint({ now, claims: { nonce } });
    }
  };

  it.each(callbackRows)('$name', async (row) => {
    const browser = new Browser();
    const login = await browser.call(broker.handlers.oidc, '/oidc/login', { query: 'provider=corp-oidc' });
    expect(login.statusCode).toBe(302);
    const kind = row.token();
    const query = broker.codeFlow.authorize(login.headers.location ?? '', { idToken: (nonce) => idTokenFor(kind, nonce) });
    const result = await browser.call(broker.handlers.oidc, '/oidc/callback', { query });
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('name="ticket"');
    } else {
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(result.statusCode).toBeLessThan(500);
      expect(codeOf(result)).toBe(row.code);
      expect(result.body).not.toContain('name="ticket"');
    }
    expect(carriesCredentials(result)).toBe(false);
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('OIDC: prototype pollution and logs', () => {
  it('leaves Object.prototype as it was after every row', () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  });

  it('never writes a token, credential secret or sealing secret to a log line', () => {
    const text = broker.capture?.text() ?? '';
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [...broker.issuedSecrets, broker.sealingSecret]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });
});
