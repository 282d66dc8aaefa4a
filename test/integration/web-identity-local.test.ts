// The local stack's web-identity path, as `npm start` runs it: a development signing key generated at start, the
// bundled config's dev-longsession role, and the offline STS verifying each token against the broker's own JWKS
// (fetched over HTTP from the running broker) before it issues.

import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID, startLocalStack, type LocalStack } from '../../tools/local/stack.ts';
import { signInWithPassword } from '../../tools/local/oidc-sign-in.ts';

let stack: LocalStack;
let idToken: string;

const exchange = async (params: Record<string, string>) => {
  const response = await fetch(`${stack.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: idToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', ...params }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
};

/** AssumeRoleWithWebIdentity sent straight to the offline STS, as a caller other than the broker would. */
const assumeWithToken = async (webIdentityToken: string) => {
  const response = await fetch(stack.sts?.url ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'arn:aws:iam::111122223333:role/DevLongSession', RoleSessionName: 'forger', WebIdentityToken: webIdentityToken }),
  });
  return { status: response.status, body: await response.text() };
};

/** The development key npm start generated (this process is the stack), and its kid as the JWKS publishes it. */
const devKey = () => createPrivateKey(process.env.BROKER_DEV_SIGNING_KEY ?? '');
const devKid = async () => {
  const response = await fetch(`${stack.url}/.well-known/jwks.json`);
  return String(((await response.json()) as { keys: Array<{ kid: string }> }).keys[0]?.kid);
};

const forged = (claims: Record<string, unknown>, key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, kid = 'forged') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).setIssuedAt().setExpirationTime('5m').sign(key);

beforeAll(async () => {
  delete process.env.BROKER_CONFIG;
  delete process.env.AWS_ENDPOINT_URL_STS;
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  delete process.env.BROKER_DEV_SIGNING_KEY;
  stack = await startLocalStack({ port: 0, host: '127.0.0.1', env: process.env });
  ({ idToken } = await signInWithPassword({ issuer: stack.idp?.issuer ?? '', clientId: LOCAL_CLIENT_ID, redirectUri: `${stack.url}/oidc/callback`, username: 'alice', password: 'alice-dev-password' }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('npm start: web-identity issuance', () => {
  it('generates a development signing key at start and publishes it', async () => {
    expect(process.env.BROKER_DEV_SIGNING_KEY).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const response = await fetch(`${stack.url}/.well-known/jwks.json`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(((await response.json()) as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('gives alice 12 hours of dev-longsession, the offline STS having verified the token against the JWKS', async () => {
    const result = await exchange({ audience: 'dev-longsession', duration_seconds: '43200' });
    expect(result.status).toBe(200);
    expect(result.json.RoleArn).toBe('arn:aws:iam::111122223333:role/DevLongSession');
    expect(result.json.expires_in).toBeGreaterThan(43_000);
    const call = stack.sts?.calls.findLast((c) => c.action === 'AssumeRoleWithWebIdentity');
    expect(call).toMatchObject({ durationSeconds: 43_200, roleSessionName: 'alice@example.com', sourceIdentity: 'alice@example.com', tags: { Team: 'Platform' }, transitiveTagKeys: ['Team'] });
  });

  it('keeps dev-readonly on AssumeRole, capped at one hour', async () => {
    const result = await exchange({ audience: 'dev-readonly', duration_seconds: '43200' });
    expect(result.status).toBe(200);
    expect(stack.sts?.calls.findLast((c) => c.action === 'AssumeRole')?.durationSeconds).toBe(3600);
  });

  it.each([
    ['a token signed by a key not in the JWKS', () => forged({ iss: stack.url, aud: 'sts.amazonaws.com', sub: 'dev-oidc:mallory' })],
    ['the wrong audience', async () => forged({ iss: stack.url, aud: 'someone-else', sub: 'dev-oidc:alice' }, devKey(), await devKid())],
    ['the wrong issuer', async () => forged({ iss: 'https://evil.example.com', aud: 'sts.amazonaws.com', sub: 'dev-oidc:alice' }, devKey(), await devKid())],
  ])('the offline STS refuses %s with InvalidIdentityToken', async (_name, build) => {
    const result = await assumeWithToken(await build());
    expect(result.status).toBe(400);
    expect(result.body).toContain('<Code>InvalidIdentityToken</Code>');
  });

  it('the offline STS accepts a token signed by the development key with the right claims (the table above is one mutation away)', async () => {
    const result = await assumeWithToken(await forged({ iss: stack.url, aud: 'sts.amazonaws.com', sub: 'dev-oidc:alice' }, devKey(), await devKid()));
    expect(result.status).toBe(200);
  });
});

// API Gateway HTTP APIs take payloads up to 10 MB: the function answers its own 413 below that, API Gateway above.
describe('npm start: request bodies as an HTTP API takes them', () => {
  const post = async (bytes: number) => {
    const response = await fetch(`${stack.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `subject_token=${'a'.repeat(bytes - 14)}` });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('a 2 MB body reaches the function, which answers 413 PAYLOAD_TOO_LARGE', async () => {
    expect(await post(2 * 1024 * 1024)).toMatchObject({ status: 413, json: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('a body over 10 MB is answered as API Gateway answers it', async () => {
    expect(await post(10 * 1024 * 1024 + 1)).toEqual({ status: 413, json: { message: 'Request Entity Too Large' } });
  });
});
