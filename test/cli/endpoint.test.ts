// The container-credentials endpoint of `fbroker exec` / `serve`, consumed by the AWS SDK's own providers
// (fromContainerMetadata, fromHttp), fed from a seeded cache (no broker needed), and attacked: every hostile row
// is the valid request with one thing changed, and none of them may get a credential.

import { request } from 'node:http';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { fromContainerMetadata } from '@smithy/credential-provider-imds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../cli/src/cache.ts';
import { prepareCache, saveCredentials } from '../../cli/src/cache.ts';
import { getCredentials } from '../../cli/src/credentials.ts';
import { startCredentialsEndpoint, type RunningEndpoint } from '../../cli/src/endpoint.ts';
import { buildContext } from '../../cli/src/settings.ts';
import { tempCache } from '../support/fbroker.ts';

const silent = { out: () => undefined, err: () => undefined };
const SECRET = 'seeded-secret-access-key';
let cache: Awaited<ReturnType<typeof tempCache>>;
let endpoint: RunningEndpoint;

beforeAll(async () => {
  cache = await tempCache();
  // A broker that is not there: everything must come from the cache.
  const ctx = buildContext({ broker: 'http://127.0.0.1:9' }, { FBROKER_CACHE_DIR: cache.dir }, silent);
  await prepareCache(ctx.cache);
  const credentials: AwsCredentials = { AccessKeyId: 'ASIASEEDED000001', SecretAccessKey: SECRET, SessionToken: 'seeded-session-token', Expiration: new Date(Date.now() + 3600_000).toISOString() };
  await saveCredentials(ctx.cache, { version: 1, broker: ctx.broker.url, role: 'dev-readonly', duration: null, sessionId: 'ses-1', credentials });
  endpoint = await startCredentialsEndpoint({ source: () => getCredentials(ctx, { role: 'dev-readonly', duration: undefined, allowLogin: false }), now: Date.now });
});
afterAll(async () => {
  await endpoint?.close();
  await cache?.remove();
});

describe('the AWS SDK reads the endpoint', () => {
  afterEach(() => {
    delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  });

  it('fromContainerMetadata (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN)', async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = endpoint.token;
    const credentials = await fromContainerMetadata({ timeout: 2000 })();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIASEEDED000001', secretAccessKey: SECRET, sessionToken: 'seeded-session-token' });
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
  });

  it('fromHttp (what the default chain tries first for a full URI)', async () => {
    const credentials = await fromHttp({ awsContainerCredentialsFullUri: endpoint.url, awsContainerAuthorizationToken: endpoint.token })();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIASEEDED000001', secretAccessKey: SECRET });
  });
});

interface Raw {
  readonly status: number;
  readonly body: string;
}

const send = (options: { method?: string; path?: string; host?: string; authorization?: string | null }): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const url = new URL(endpoint.url);
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${endpoint.port}` };
    const authorization = options.authorization === undefined ? endpoint.token : options.authorization;
    if (authorization !== null) headers.authorization = authorization;
    const req = request({ host: '127.0.0.1', port: endpoint.port, method: options.method ?? 'GET', path: options.path ?? url.pathname, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('requests to the endpoint: the valid one, and one mutation per attack', () => {
  const rows: ReadonlyArray<{ name: string; request: () => Parameters<typeof send>[0]; status: number }> = [
    { name: 'valid: GET, token, Host 127.0.0.1:<port>', request: () => ({}), status: 200 },
    { name: 'valid: Host localhost:<port>', request: () => ({ host: `localhost:${endpoint.port}` }), status: 200 },
    { name: 'valid: Host [::1]:<port>', request: () => ({ host: `[::1]:${endpoint.port}` }), status: 200 },
    { name: 'no Authorization header', request: () => ({ authorization: null }), status: 401 },
    { name: 'wrong token', request: () => ({ authorization: 'x'.repeat(endpoint.token.length) }), status: 401 },
    { name: 'the token with one character more', request: () => ({ authorization: `${endpoint.token}x` }), status: 401 },
    { name: 'the token as a Bearer credential', request: () => ({ authorization: `Bearer ${endpoint.token}` }), status: 401 },
    { name: 'DNS rebinding: Host evil.example:<port>', request: () => ({ host: `evil.example:${endpoint.port}` }), status: 403 },
    { name: 'Host 127.0.0.1 without the port', request: () => ({ host: '127.0.0.1' }), status: 403 },
    { name: 'Host localhost on another port', request: () => ({ host: `localhost:${endpoint.port + 1}` }), status: 403 },
    { name: 'POST', request: () => ({ method: 'POST' }), status: 403 },
    { name: 'PUT', request: () => ({ method: 'PUT' }), status: 403 },
    { name: 'another path', request: () => ({ path: '/latest/meta-data/iam/security-credentials/' }), status: 403 },
    { name: 'the root path', request: () => ({ path: '/' }), status: 403 },
  ];
  it.each(rows)('$name → $status', async ({ request: make, status }) => {
    const response = await send(make());
    expect(response.status).toBe(status);
    if (status === 200) expect(JSON.parse(response.body)).toEqual({ AccessKeyId: 'ASIASEEDED000001', SecretAccessKey: SECRET, Token: 'seeded-session-token', Expiration: expect.any(String) });
    else expect(response.body).not.toContain(SECRET);
  });
});

describe('renewal', () => {
  const creds = (id: string, expiresInMs: number, now: number): AwsCredentials => ({ AccessKeyId: id, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + expiresInMs).toISOString() });

  it('renews 5 minutes before expiry, once for concurrent requests, and not before', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const issued: string[] = [];
    const lifetimes = [10 * 60_000, 60 * 60_000];
    const renewing = await startCredentialsEndpoint({
      now: () => now,
      source: async () => {
        const id = `ASIA${issued.length}`;
        issued.push(id);
        return creds(id, lifetimes[Math.min(issued.length - 1, 1)]!, now);
      },
    });
    const get = async (): Promise<string> => {
      const r = await fetch(renewing.url, { headers: { authorization: renewing.token } });
      return ((await r.json()) as { AccessKeyId: string }).AccessKeyId;
    };
    try {
      expect(await get()).toBe('ASIA0');
      now += 4 * 60_000; // 6 min left: still served from memory
      expect(await get()).toBe('ASIA0');
      now += 2 * 60_000; // 4 min left: renewed, one call for five requests
      expect(await Promise.all([get(), get(), get(), get(), get()])).toEqual(Array(5).fill('ASIA1'));
      expect(issued).toEqual(['ASIA0', 'ASIA1']);
    } finally {
      await renewing.close();
    }
  });

  it('a failed renewal answers 503 with a code, never stale credentials', async () => {
    const failing = await startCredentialsEndpoint({ now: Date.now, source: () => Promise.reject(new Error('broker down')) });
    try {
      const r = await fetch(failing.url, { headers: { authorization: failing.token } });
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ code: 'INTERNAL', message: expect.any(String) });
    } finally {
      await failing.close();
    }
  });
});
