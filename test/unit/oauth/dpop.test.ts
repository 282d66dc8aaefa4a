// DPoP proofs (RFC 9449 §4.3) checked one by one at a fixed instant: each row is a valid proof with one thing changed.
// Verification uses only the key embedded in the proof; the checks jose leaves to us (typ, alg, a public jwk, htm,
// htu, iat, jti, ath) each have a row.

import { randomBytes } from 'node:crypto';
import { base64url, calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash, createDpopKeys, DPOP_MAX_AGE_SECONDS, verifyDpopProof, type DpopRequest } from '../../../shared/oauth/dpop.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const T = NOW.getTime() / 1000;
const URL_ = 'https://broker.example.com/cli/token';
const SESSION = 'sealed-session-token-value';
const request: DpopRequest = { method: 'POST', url: URL_, now: NOW, clockSkewSeconds: 60 };

interface Pair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
  readonly privateJwk: JWK;
}
let es: Pair;
let ed: Pair;
let other: Pair;
const pair = async (alg: 'ES256' | 'EdDSA'): Promise<Pair> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { privateKey, publicKey, jwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
};
beforeAll(async () => {
  [es, ed, other] = await Promise.all([pair('ES256'), pair('EdDSA'), pair('ES256')]);
});

interface Make {
  readonly key?: Pair;
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly signWith?: CryptoKey | Uint8Array;
  readonly raw?: (header: string, claims: string) => string;
}
const enc = (v: unknown): string => base64url.encode(JSON.stringify(v));
/** A header the signing library would refuse to write: assembled by hand, with a signature of the right size. */
const fakeSignature = (header: string, claims: string): string => `${header}.${claims}.${randomBytes(64).toString('base64url')}`;
const make = async (m: Make = {}): Promise<string> => {
  const key = m.key ?? es;
  const header = { alg: key === ed ? 'EdDSA' : 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...m.header };
  const claims = { jti: randomBytes(12).toString('base64url'), htm: 'POST', htu: URL_, iat: T, ...m.claims };
  if (m.raw) return m.raw(enc(header), enc(claims));
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header as { alg: string }).sign(m.signWith ?? key.privateKey);
};

describe('verifyDpopProof', () => {
  it('accepts a valid ES256 proof and returns the RFC 7638 thumbprint, the jti and how long to remember it', async () => {
    const proof = await make({ claims: { jti: 'jti-0123456789' } });
    const verified = await verifyDpopProof(proof, request);
    expect(verified.jkt).toBe(await calculateJwkThumbprint(es.jwk, 'sha256'));
    expect(verified.jti).toBe('jti-0123456789');
    expect(verified.freshUntil.getTime()).toBe((T + DPOP_MAX_AGE_SECONDS + 120) * 1000);
  });

  const accepted: Array<[string, () => Make]> = [
    ['EdDSA', () => ({ key: ed })],
    ['Ed25519 (RFC 9864 name)', () => ({ key: ed, header: { alg: 'Ed25519' } })],
    ['htu with a query and a fragment (ignored, RFC 9449 §4.3)', () => ({ claims: { htu: `${URL_}?a=b#c` } })],
    ['htu with an upper-case scheme and host', () => ({ claims: { htu: 'HTTPS://BROKER.EXAMPLE.COM/cli/token' } })],
    ['iat at the edge of the window', () => ({ claims: { iat: T - DPOP_MAX_AGE_SECONDS - 60 } })],
    ['iat ahead by the clock skew', () => ({ claims: { iat: T + 60 } })],
  ];
  it.each(accepted)('accepts %s', async (_name, row) => {
    await expect(verifyDpopProof(await make(row()), request)).resolves.toMatchObject({ jkt: expect.any(String) });
  });

  it('accepts a session proof whose ath is the token hash', async () => {
    await expect(verifyDpopProof(await make({ claims: { ath: accessTokenHash(SESSION) } }), { ...request, accessToken: SESSION })).resolves.toBeDefined();
  });

  const rows: Array<[string, () => Promise<string | undefined>, Partial<DpopRequest>?]> = [
    ['missing', async () => undefined],
    ['empty', async () => ''],
    ['two proofs joined by a comma', async () => `${await make()},${await make()}`],
    ['over 4096 characters', async () => make({ claims: { pad: 'x'.repeat(4100) } })],
    ['not a JWS', async () => 'not.a.jws'],
    ['typ JWT', async () => make({ header: { typ: 'JWT' } })],
    ['typ missing', async () => make({ header: { typ: undefined } })],
    ['alg none', async () => make({ header: { alg: 'none' }, raw: (h, c) => `${h}.${c}.` })],
    ['alg NONE', async () => make({ header: { alg: 'NONE' }, raw: (h, c) => `${h}.${c}.` })],
    ['alg HS256 keyed with the public jwk', async () => make({ header: { alg: 'HS256' }, signWith: new TextEncoder().encode(JSON.stringify(es.jwk)) })],
    ['alg RS256', async () => make({ header: { alg: 'RS256' }, raw: fakeSignature })],
    ['alg ES384 (not allowed)', async () => make({ header: { alg: 'ES384' }, raw: fakeSignature })],
    ['jwk missing', async () => make({ header: { jwk: undefined } })],
    ['jwk an array', async () => make({ header: { jwk: [es.jwk] } })],
    ['jwk with the private member d', async () => make({ header: { jwk: es.privateJwk } })],
    ['jwk with a symmetric k', async () => make({ header: { jwk: { ...es.jwk, k: 'AAAA' } } })],
    ['jwk of another curve (P-384)', async () => make({ header: { jwk: { ...es.jwk, crv: 'P-384' } } })],
    ['jwk an RSA key', async () => make({ header: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } })],
    ['jku beside the jwk', async () => make({ header: { jku: 'https://evil.example.com/jwks' } })],
    ['x5u beside the jwk', async () => make({ header: { x5u: 'https://evil.example.com/cert' } })],
    ['x5c beside the jwk', async () => make({ header: { x5c: ['MIIB'] } })],
    ['crit header', async () => make({ header: { crit: ['exp'], exp: 1 }, raw: fakeSignature })],
    ['alg ES256 over an Ed25519 jwk', async () => make({ key: ed, header: { alg: 'ES256' }, raw: fakeSignature })],
    ['alg EdDSA over a P-256 jwk', async () => make({ header: { alg: 'EdDSA' }, raw: fakeSignature })],
    ['jwk without its y coordinate', async () => make({ header: { jwk: { ...es.jwk, y: undefined } }, raw: fakeSignature })],
    ['jwk with a point off the curve', async () => make({ header: { jwk: { ...es.jwk, y: es.jwk.x } }, raw: fakeSignature })],
    ['signed by another key than the embedded one', async () => make({ signWith: other.privateKey })],
    ['signature altered', async () => { const p = await make(); return `${p.slice(0, -4)}${p.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`; }],
    ['payload swapped after signing', async () => { const [h, , s] = (await make()).split('.'); return `${h}.${enc({ jti: 'jti-0123456789', htm: 'POST', htu: URL_, iat: T })}.${s}`; }],
    ['jti missing', async () => make({ claims: { jti: undefined } })],
    ['jti too short', async () => make({ claims: { jti: 'short' } })],
    ['jti with a space', async () => make({ claims: { jti: 'has a space in it' } })],
    ['jti a number', async () => make({ claims: { jti: 12345678901 } })],
    ['htm GET', async () => make({ claims: { htm: 'GET' } })],
    ['htm post (case)', async () => make({ claims: { htm: 'post' } })],
    ['htm missing', async () => make({ claims: { htm: undefined } })],
    ['htu of another path', async () => make({ claims: { htu: 'https://broker.example.com/token' } })],
    ['htu of another host', async () => make({ claims: { htu: 'https://evil.example.com/cli/token' } })],
    ['htu over http', async () => make({ claims: { htu: 'http://broker.example.com/cli/token' } })],
    ['htu with a trailing slash', async () => make({ claims: { htu: `${URL_}/` } })],
    ['htu not a URL', async () => make({ claims: { htu: 'cli/token' } })],
    ['htu missing', async () => make({ claims: { htu: undefined } })],
    ['iat missing', async () => make({ claims: { iat: undefined } })],
    ['iat a string', async () => make({ claims: { iat: String(T) } })],
    ['iat stale (one second past the window)', async () => make({ claims: { iat: T - DPOP_MAX_AGE_SECONDS - 61 } })],
    ['iat in the future beyond the skew', async () => make({ claims: { iat: T + 61 } })],
    ['exp in the past', async () => make({ claims: { exp: T - 1 } })],
    ['exp now', async () => make({ claims: { exp: T } })],
    ['exp a string', async () => make({ claims: { exp: String(T + 60) } })],
    ['nbf in the future', async () => make({ claims: { nbf: T + 1 } })],
    ['ath missing on a session request', async () => make(), { accessToken: SESSION }],
    ['ath of another token', async () => make({ claims: { ath: accessTokenHash('another-session') } }), { accessToken: SESSION }],
    ['ath as the token itself', async () => make({ claims: { ath: SESSION } }), { accessToken: SESSION }],
  ];

  it.each(rows)('refuses %s with DPOP_INVALID', async (_name, proof, overrides = {}) => {
    await expect(verifyDpopProof(await proof(), { ...request, ...overrides })).rejects.toMatchObject({ code: 'DPOP_INVALID' });
  });

  it.each(rows)('refuses %s with DPOP_INVALID, also with the embedded key already imported', async (_name, proof, overrides = {}) => {
    const keys = createDpopKeys();
    await verifyDpopProof(await make(), request, keys);
    await verifyDpopProof(await make({ key: ed }), request, keys);
    expect(keys.size).toBe(2);
    await expect(verifyDpopProof(await proof(), { ...request, ...overrides }, keys)).rejects.toMatchObject({ code: 'DPOP_INVALID' });
  });

  it('imports each key once, and never lets a cached key stand in for another', async () => {
    const keys = createDpopKeys();
    await expect(verifyDpopProof(await make(), request, keys)).resolves.toMatchObject({ jkt: await calculateJwkThumbprint(es.jwk, 'sha256') });
    await expect(verifyDpopProof(await make({ key: other }), request, keys)).resolves.toMatchObject({ jkt: await calculateJwkThumbprint(other.jwk, 'sha256') });
    expect(keys.size).toBe(2);
    // A proof that embeds es's key but was signed by other's: the cached key of es is used, and refuses it.
    await expect(verifyDpopProof(await make({ signWith: other.privateKey }), request, keys)).rejects.toMatchObject({ code: 'DPOP_INVALID' });
  });
});
