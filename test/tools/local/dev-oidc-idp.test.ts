// The development IdP end to end: a programmatic sign-in (code + PKCE through the login form) yields an ID token
// that the broker's verifier accepts, with the demo user's claims. The IdP stamps tokens with its own clock, so
// these tokens are verified at the current time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { createOidcVerifier } from '../../../shared/oidc/index.ts';
import type { DevOidcIdp } from '../../../tools/local/dev-oidc-idp.ts';
import { loginPage } from '../../../tools/local/dev-oidc-pages.ts';
import { signInWithPassword } from '../../../tools/local/oidc-sign-in.ts';
import { DEV_CONFIDENTIAL_CLIENT, DEV_PUBLIC_CLIENT, oidcTestConfig, startTestDevIdp, TEST_PROVIDER_ID } from '../../support/oidc.ts';

let idp: DevOidcIdp;

beforeAll(async () => {
  idp = await startTestDevIdp();
});
afterAll(() => idp.stop());

const passwordOf = (username: string): string => idp.users.find((u) => u.username === username)?.password ?? '';
const signIn = (username: string, extra: { scope?: string; password?: string } = {}) =>
  signInWithPassword({
    issuer: idp.issuer,
    clientId: DEV_PUBLIC_CLIENT.client_id,
    redirectUri: DEV_PUBLIC_CLIENT.redirect_uris[0],
    username,
    password: extra.password ?? passwordOf(username),
    scope: extra.scope ?? 'openid email profile groups',
  });
const verify = async (idToken: string) =>
  createOidcVerifier(await oidcTestConfig(idp.issuer, { clientId: DEV_PUBLIC_CLIENT.client_id })).verify(idToken, new Date());

describe('development IdP sign-in', () => {
  it('gives alice an ID token the verifier accepts, with email, groups, department, amr and acr', async () => {
    const { idToken } = await signIn('alice');

    const identity = await verify(idToken);

    expect(identity.providerId).toBe(TEST_PROVIDER_ID);
    expect(identity.subject).toBe('alice');
    expect(identity.claims).toMatchObject({
      iss: idp.issuer,
      aud: DEV_PUBLIC_CLIENT.client_id,
      email: 'alice@example.com',
      groups: ['aws-dev', 'eng-platform'],
      department: 'Platform',
      amr: ['pwd', 'mfa'],
      acr: 'https://refeds.org/profile/mfa',
    });
  });

  it('reports bob without a second factor', async () => {
    const { claims } = await verify((await signIn('bob')).idToken);

    expect(claims).toMatchObject({ email: 'bob@example.com', groups: ['aws-dev'], amr: ['pwd'] });
    expect(claims.department).toBeUndefined();
  });

  it('reports carol with a one-time code and her contractor group', async () => {
    const { claims } = await verify((await signIn('carol')).idToken);

    expect(claims).toMatchObject({ email: 'carol@example.com', groups: ['contractors', 'aws-dev'], amr: ['pwd', 'otp'] });
  });

  it('puts groups into the ID token also with the default broker scopes (openid email profile)', async () => {
    const { claims } = await verify((await signIn('alice', { scope: 'openid email profile' })).idToken);

    expect(claims.groups).toEqual(['aws-dev', 'eng-platform']);
  });

  it('signs tokens with the key it publishes', async () => {
    const { idToken } = await signIn('alice');

    expect(idp.jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(idToken).kid);
    expect(idp.jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('signs in a confidential client with its secret', async () => {
    const { idToken } = await signInWithPassword({
      issuer: idp.issuer,
      clientId: DEV_CONFIDENTIAL_CLIENT.client_id,
      clientSecret: DEV_CONFIDENTIAL_CLIENT.client_secret,
      redirectUri: DEV_CONFIDENTIAL_CLIENT.redirect_uris[0],
      username: 'alice',
      password: passwordOf('alice'),
    });

    const identity = await createOidcVerifier(await oidcTestConfig(idp.issuer, { clientId: DEV_CONFIDENTIAL_CLIENT.client_id })).verify(idToken, new Date());

    expect(identity.claims.aud).toBe(DEV_CONFIDENTIAL_CLIENT.client_id);
  });

  it.each([
    ['a wrong password', 'alice', 'not-the-password'],
    ['an unknown user', 'mallory', 'alice-dev-password'],
    ["another user's password", 'bob', 'alice-dev-password'],
  ])('refuses %s (LOGIN_REFUSED)', async (_name, username, password) => {
    await expect(signIn(username, { password })).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
  });

  it('refuses a token for this client at a broker that expects another audience', async () => {
    const { idToken } = await signIn('alice');
    const verifier = createOidcVerifier(await oidcTestConfig(idp.issuer, { clientId: 'another-app' }));

    await expect(verifier.verify(idToken, new Date())).rejects.toMatchObject({ code: 'AUDIENCE_MISMATCH' });
  });
});

describe('development IdP pages', () => {
  it('answers an interaction without its cookie with an error page and strict headers', async () => {
    const response = await fetch(`${idp.issuer}/interaction/not-a-real-uid`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    await response.body?.cancel();
  });

  it('escapes the values it echoes into the login page', () => {
    const html = loginPage({ uid: 'u"><x', clientId: '<img src=x onerror=alert(1)>', username: '"><script>alert(1)</script>', error: '<b>', users: [] });

    expect(html).not.toMatch(/<script>|<img|<b>|"><x/);
    expect(html).toContain('&lt;script&gt;');
  });
});
