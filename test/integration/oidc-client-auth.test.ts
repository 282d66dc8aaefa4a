// The OIDC code flow with every client authentication the config offers (none, client_secret_basic,
// client_secret_post, private_key_jwt), against a real oidc-provider that enforces the registered method.

import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type BrokerConfig } from '../../shared/config/index.ts';
import { createOidcVerifier } from '../../shared/oidc/index.ts';
import { createOidcCodeFlow, newCodeFlowSecrets } from '../../shared/oidc/login.ts';
import { startDevOidcIdp, type DevOidcIdp } from '../../tools/local/dev-oidc-idp.ts';
import { MiniBrowser } from '../support/browser.ts';
import { createMemoryReplayStore } from '../support/memory-replay.ts';

const codeFlowFor = async (config: BrokerConfig) => createOidcCodeFlow({ config, verifier: createOidcVerifier(config, { replay: createMemoryReplayStore() }) });

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
    const codeFlow = await codeFlowFor(config);
    const secrets = newCodeFlowSecrets();
    const location = await codeFlow.authorizationUrl('corp', secrets);
    expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await new MiniBrowser().navigate(location, { username: 'alice', password: 'alice-dev-password' }, (url) => url.href.startsWith(CALLBACK));
    const verified = await codeFlow.exchange('corp', callback.url.search.slice(1), secrets, new Date());
    expect(verified).toMatchObject({ providerId: 'corp', subject: 'alice', claims: expect.objectContaining({ email: 'alice@example.com' }) });
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
    const codeFlow = await codeFlowFor(config);
    const secrets = newCodeFlowSecrets();
    const location = await codeFlow.authorizationUrl('corp', secrets);
    const callback = await new MiniBrowser().navigate(location, { username: 'alice', password: 'alice-dev-password' }, (url) => url.href.startsWith(CALLBACK));
    await expect(codeFlow.exchange('corp', callback.url.search.slice(1), secrets, new Date())).rejects.toMatchObject({ code: 'FLOW_INVALID' });
  });
});
