// The JWKS cache: rotation, cooldown, stale keys and outages. Time moves only through the injected clock.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOidcVerifier, type OidcVerifier } from '../../../shared/oidc/index.ts';
import { usableKeys } from '../../../shared/jose/keys.ts';
import { createTestKey, startTestOidcIdp, TEST_NOW, type TestKey, type TestOidcIdp } from '../../support/oidc.ts';

let idp: TestOidcIdp;
let first: TestKey;
let second: TestKey;
let clock: Date;
let verifier: OidcVerifier;

const advance = (seconds: number): void => {
  clock = new Date(clock.getTime() + seconds * 1000);
};
/** A token minted at the current clock, verified at the current clock. */
const verifyWith = (key: TestKey, kid = key.kid) => verifier.verify(idp.mint({ header: { kid }, signature: { key }, now: clock }), clock);

beforeAll(async () => {
  idp = await startTestOidcIdp();
  first = idp.key;
  second = createTestKey('test-key-2');
});
afterAll(() => idp.close());
beforeEach(async () => {
  idp.serveKeys([first]);
  idp.setJwksDown(false);
  idp.fetches.jwks = 0;
  idp.fetches.discovery = 0;
  clock = TEST_NOW;
  verifier = createOidcVerifier(await idp.config(), { now: () => clock });
});

describe('JWKS cache', () => {
  it('fetches discovery and the JWKS once for many tokens', async () => {
    for (let i = 0; i < 5; i += 1) await verifyWith(first);

    expect(idp.fetches).toEqual({ discovery: 1, jwks: 1 });
  });

  it('shares one fetch between concurrent first requests', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => verifyWith(first)));

    expect(results.map((r) => r.subject)).toEqual(Array(5).fill('alice'));
    expect(idp.fetches.jwks).toBe(1);
  });

  it('shares one refetch between concurrent tokens signed with a rotated key', async () => {
    await verifyWith(first);
    idp.serveKeys([first, second]);
    advance(61);

    const results = await Promise.all(Array.from({ length: 5 }, () => verifyWith(second)));

    expect(results.map((r) => r.subject)).toEqual(Array(5).fill('alice'));
    expect(idp.fetches.jwks).toBe(2);
  });

  it('accepts a rotated key after one refetch once the cooldown has passed', async () => {
    await verifyWith(first);
    idp.serveKeys([first, second]);
    advance(61);

    await expect(verifyWith(second)).resolves.toMatchObject({ subject: 'alice' });
    await expect(verifyWith(second)).resolves.toMatchObject({ subject: 'alice' });
    expect(idp.fetches.jwks).toBe(2);
  });

  it('refuses an unknown kid without refetching inside the cooldown', async () => {
    await verifyWith(first);
    idp.serveKeys([first, second]);
    advance(30);

    await expect(verifyWith(second)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    expect(idp.fetches.jwks).toBe(1);
  });

  it('does not let random well-formed kids drive more than one refetch per cooldown', async () => {
    await verifyWith(first);
    advance(61);

    for (let i = 0; i < 20; i += 1) {
      await expect(verifyWith(first, `random-${i}-${Math.random().toString(36).slice(2)}`)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    }

    expect(idp.fetches.jwks).toBe(2);
  });

  it.each([
    ['spaces', 'a kid with spaces'],
    ['129 characters', 'k'.repeat(129)],
    ['a quote', 'kid"'],
    ['non-ASCII', 'kïd'],
    ['empty', ''],
  ])('never refetches for a kid with %s, even after the cooldown', async (_name, kid) => {
    await verifyWith(first);
    advance(61);

    await expect(verifyWith(first, kid)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    expect(idp.fetches.jwks).toBe(1);
  });

  it('keeps cached keys working while the JWKS endpoint is down, also past the cache age', async () => {
    await verifyWith(first);
    idp.setJwksDown(true);
    advance(11 * 60);

    await expect(verifyWith(first)).resolves.toMatchObject({ subject: 'alice' });
    expect(idp.fetches.jwks).toBe(2);
  });

  it('answers IDP_UNAVAILABLE when the JWKS endpoint is down and no key was ever fetched', async () => {
    idp.setJwksDown(true);

    await expect(verifyWith(first)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('retries a failed first fetch only after the Retry-After interval', async () => {
    idp.setJwksDown(true);
    await expect(verifyWith(first)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
    idp.setJwksDown(false);

    await expect(verifyWith(first)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
    advance(5);
    await expect(verifyWith(first)).resolves.toMatchObject({ subject: 'alice' });
    expect(idp.fetches.jwks).toBe(2);
  });

  it('answers IDP_UNAVAILABLE for an unknown kid when the refetch fails', async () => {
    await verifyWith(first);
    idp.setJwksDown(true);
    advance(61);

    await expect(verifyWith(second)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('stops trusting a key the issuer removed once the cache age has passed', async () => {
    await verifyWith(first);
    idp.serveKeys([second]);
    advance(11 * 60);

    await expect(verifyWith(first)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('treats a JWKS without usable signature keys as unavailable', async () => {
    idp.serveKeys([{ kty: 'oct', kid: first.kid, k: 'c2VjcmV0' }, { ...first.publicJwk, use: 'enc' }]);

    await expect(verifyWith(first)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('refuses a token whose kid names a symmetric key in the JWKS', async () => {
    idp.serveKeys([first, { kty: 'oct', kid: 'shared', k: 'c2VjcmV0' }]);

    await expect(verifyWith(first, 'shared')).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
  });
});

describe('usableKeys', () => {
  it('keeps public signature keys and drops oct, encryption and private keys', () => {
    const keys = usableKeys({
      keys: [
        first.publicJwk,
        { ...second.publicJwk, use: undefined },
        { kty: 'oct', k: 'c2VjcmV0' },
        { ...first.publicJwk, kid: 'enc', use: 'enc' },
        { ...first.privateKey.export({ format: 'jwk' }), kid: 'private' },
        'not a key',
        null,
      ],
    });

    expect(keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);
  });
});
