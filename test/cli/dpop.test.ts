// DPoP proofs made by fbroker (the `dpop` library) as a broker verifies them (RFC 9449 §4.3, with jose): the
// key embedded in the header, typ, alg, htm, htu without query, a fresh iat, a unique jti, ath for session use;
// and the key survives the cache (same thumbprint, so the session's cnf.jkt still matches).

import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { dpopProof, importDpopKey, newDpopKey } from '../../cli/src/dpop-key.ts';

const verify = (proof: string) => jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], maxTokenAge: '60s' });

describe('DPoP proofs', () => {
  it('verify with the key they embed, and carry htm, htu, iat, jti', async () => {
    const key = await newDpopKey();
    const before = Math.floor(Date.now() / 1000);
    const { payload, protectedHeader } = await verify(await dpopProof(key, 'POST', 'https://broker.example.com/cli/token?x=1#f'));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(protectedHeader.jwk).not.toHaveProperty('d');
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://broker.example.com/cli/token' });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.ath).toBeUndefined();
  });

  it('each proof has its own jti', async () => {
    const key = await newDpopKey();
    const jtis = await Promise.all(Array.from({ length: 5 }, async () => (await verify(await dpopProof(key, 'POST', 'https://b.example/token'))).payload.jti));
    expect(new Set(jtis).size).toBe(5);
  });

  it('a proof that uses the session carries ath = base64url(SHA-256(session token))', async () => {
    const key = await newDpopKey();
    const { payload } = await verify(await dpopProof(key, 'POST', 'https://b.example/token', 'session-token'));
    expect(payload.ath).toBe(createHash('sha256').update('session-token').digest('base64url'));
  });

  it('the key read back from the cache has the same thumbprint and its proofs verify', async () => {
    const key = await newDpopKey();
    const restored = await importDpopKey(JSON.parse(JSON.stringify(key.privateJwk)) as JsonWebKey);
    const a = decodeProtectedHeader(await dpopProof(key, 'POST', 'https://b.example/token')).jwk as JWK;
    const proof = await dpopProof(restored, 'POST', 'https://b.example/token');
    await verify(proof);
    expect(await calculateJwkThumbprint(decodeProtectedHeader(proof).jwk as JWK)).toBe(await calculateJwkThumbprint(a));
  });

  it('every sign-in gets a new key', async () => {
    const [a, b] = await Promise.all([newDpopKey(), newDpopKey()]);
    expect(a.privateJwk.x).not.toBe(b.privateJwk.x);
  });
});
