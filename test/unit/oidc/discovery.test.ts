// Discovery: the document must describe the configured issuer and point at keys over https (loopback http in tests).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOidcVerifier } from '../../../shared/oidc/index.ts';
import { discoveryUrl, fetchDiscovery } from '../../../shared/oidc/discovery.ts';
import type { Fetch } from '../../../shared/oidc/fetch-json.ts';
import { startTestOidcIdp, TEST_NOW, type TestOidcIdp } from '../../support/oidc.ts';

let idp: TestOidcIdp;

beforeAll(async () => {
  idp = await startTestOidcIdp();
});
afterAll(() => idp.close());
beforeEach(() => {
  idp.setDiscovery(undefined);
});

const verifyOnce = async () => createOidcVerifier(await idp.config(), { now: () => TEST_NOW }).verify(idp.mint(), TEST_NOW);
const http = (fetch: Fetch) => ({ fetch, timeoutMs: 200, maxBytes: 1024 });

describe('discovery', () => {
  it.each([
    ['issuer with a trailing slash', () => ({ issuer: `${idp.issuer}/`, jwks_uri: `${idp.issuer}/jwks` })],
    ['issuer of another IdP', () => ({ issuer: 'https://evil.example.com', jwks_uri: `${idp.issuer}/jwks` })],
    ['issuer missing', () => ({ jwks_uri: `${idp.issuer}/jwks` })],
    ['jwks_uri over http on a public host', () => ({ issuer: idp.issuer, jwks_uri: 'http://keys.example.com/jwks' })],
    ['jwks_uri not a URL', () => ({ issuer: idp.issuer, jwks_uri: 'keys' })],
    ['jwks_uri missing', () => ({ issuer: idp.issuer })],
  ])('refuses a document with %s (IDP_UNAVAILABLE)', async (_name, document) => {
    idp.setDiscovery(document());

    await expect(verifyOnce()).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('builds the discovery URL without doubling a trailing slash', () => {
    expect(discoveryUrl('https://idp.example.com/realms/corp/').href).toBe('https://idp.example.com/realms/corp/.well-known/openid-configuration');
  });

  it.each([
    ['an HTTP error', (): Promise<Response> => Promise.resolve(new Response('{}', { status: 500 }))],
    ['a redirect', (): Promise<Response> => Promise.reject(new TypeError('fetch failed: redirect mode is set to error'))],
    ['a body that is not JSON', (): Promise<Response> => Promise.resolve(new Response('<html>', { status: 200 }))],
    ['a JSON array', (): Promise<Response> => Promise.resolve(new Response('[]', { status: 200 }))],
    ['a body over the size cap', (): Promise<Response> => Promise.resolve(new Response(JSON.stringify({ issuer: 'x', pad: 'p'.repeat(2048) }), { status: 200 }))],
    ['a declared length over the size cap', (): Promise<Response> => Promise.resolve(new Response('{}', { status: 200, headers: { 'content-length': '999999' } }))],
  ])('turns %s into IDP_UNAVAILABLE', async (_name, respond) => {
    await expect(fetchDiscovery('https://idp.example.com', http(respond))).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('gives up after the timeout', async () => {
    const hang: Fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });

    await expect(fetchDiscovery('https://idp.example.com', http(hang))).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('does not retry a failed discovery before the Retry-After interval', async () => {
    let clock = TEST_NOW;
    idp.setDiscovery({ issuer: 'https://evil.example.com', jwks_uri: `${idp.issuer}/jwks` });
    const verifier = createOidcVerifier(await idp.config(), { now: () => clock });
    await expect(verifier.verify(idp.mint(), TEST_NOW)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
    idp.setDiscovery(undefined);
    const before = idp.fetches.discovery;

    await expect(verifier.verify(idp.mint(), TEST_NOW)).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
    expect(idp.fetches.discovery).toBe(before);
    clock = new Date(TEST_NOW.getTime() + 5000);
    await expect(verifier.verify(idp.mint(), TEST_NOW)).resolves.toMatchObject({ subject: 'alice' });
  });
});
