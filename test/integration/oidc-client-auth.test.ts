// The OIDC code flow with every client authentication the config offers (none, client_secret_basic,
// client_secret_post, private_key_jwt), against a real oidc-provider that enforces the registered method.

import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type BrokerConfig } from '../../shared/config/index.ts';
import { createOidcVerifier } from '../../shared/oidc/index.ts';
import { createOidcLogin } from '../../shared/oidc/login.ts';
import { createMemoryReplayStore } from '../../shared/stores/dynamo-replay.ts';
import { createSealer } from '../../shared/stores/seal.ts';
import { startDevOidcIdp, type DevOidcIdp } from '../../tools/local/dev-oidc-idp.ts';
import { MiniBrowser } from '../support/browser.ts';

const BASE = 'https://broker.example.com';
const CALLBACK = `${BASE}/oidc/callback`;
const SECRET = 'client-secret-for-tests-only-0123456789';
let idp: DevOidcIdp;
let privatePem: string;

const configFor = async (provider: Record<string, unknown>): Promise<BrokerConfig> =>
  buildConfig(
    {
      version: 1,
      broker: { baseUrl: BASE, sealingSecret: 'env:SEAL' },
      providers: { corp: { type: 'oidc', issuer: idp.issuer, ...provider } },
      roles: { r: { arn: 'arn:aws:iam::111122223333:role/R' } },
      rules: [{ roles: ['r'], conditions: { StringEquals: { email: 'alice@example.com' } } }],
    },
    '/virtual/broker.yaml',
    { env: { SEAL: 'x'.repeat(40), CLIENT_SECRET: SECRET, CLIENT_KEY: privatePem } },
  );

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  privatePem = await exportPKCS8(privateKey);
  const jwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', kid: 'client-key' };
  idp = await startDevOidcIdp({
    clients: [
      { client_id: 'public', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' },
      { client_id: 'basic', client_secret: SECRET, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'post', client_secret: SECRET, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_post' },
      { client_id: 'pkjwt', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } },
    ],
  });
});
afterAll(async () => {
  await idp?.stop();
});

describe('OIDC code flow client authentication', () => {
  it.each([
    ['none (public client, PKCE)', { clientId: 'public' }],
    ['client_secret_basic', { clientId: 'basic', clientSecret: 'env:CLIENT_SECRET', clientAuth: 'client_secret_basic' }],
    ['client_secret_post', { clientId: 'post', clientSecret: 'env:CLIENT_SECRET', clientAuth: 'client_secret_post' }],
    ['private_key_jwt', { clientId: 'pkjwt', clientPrivateKey: 'env:CLIENT_KEY', clientAuth: 'private_key_jwt' }],
  ])('%s signs alice in with a verified ID token', async (_name, provider) => {
    const config = await configFor(provider);
    const replay = createMemoryReplayStore();
    const login = createOidcLogin({ config, sealer: createSealer('x'.repeat(40)), replay, verifier: createOidcVerifier(config, { replay }) });
    const now = new Date();
    const { location, flow } = await login.start('corp', {}, now);
    expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await new MiniBrowser().navigate(location, { username: 'alice', password: 'alice-dev-password' }, (url) => url.href.startsWith(CALLBACK));
    const { identity } = await login.finish(flow, callback.url.search.slice(1), new Date());
    expect(identity).toMatchObject({ providerId: 'corp', protocol: 'oidc', subject: 'alice', rawClaims: expect.objectContaining({ email: 'alice@example.com' }) });
  });

  it('a wrong client secret is refused by the IdP and never becomes an identity', async () => {
    const config = await buildConfig(
      {
        version: 1,
        broker: { baseUrl: BASE, sealingSecret: 'env:SEAL' },
        providers: { corp: { type: 'oidc', issuer: idp.issuer, clientId: 'basic', clientSecret: 'env:CLIENT_SECRET', clientAuth: 'client_secret_basic' } },
        roles: { r: { arn: 'arn:aws:iam::111122223333:role/R' } },
        rules: [{ roles: ['r'], conditions: { StringEquals: { email: 'alice@example.com' } } }],
      },
      '/virtual/broker.yaml',
      { env: { SEAL: 'x'.repeat(40), CLIENT_SECRET: 'not-the-secret' } },
    );
    const replay = createMemoryReplayStore();
    const login = createOidcLogin({ config, sealer: createSealer('x'.repeat(40)), replay, verifier: createOidcVerifier(config, { replay }) });
    const { location, flow } = await login.start('corp', {}, new Date());
    const callback = await new MiniBrowser().navigate(location, { username: 'alice', password: 'alice-dev-password' }, (url) => url.href.startsWith(CALLBACK));
    await expect(login.finish(flow, callback.url.search.slice(1), new Date())).rejects.toMatchObject({ code: 'FLOW_INVALID' });
  });
});
