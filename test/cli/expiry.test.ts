// When cached credentials and sessions are used, with the time passed in: credentials while more than 5 minutes
// are left, sessions while they can still yield an STS session (≥ 15 min) when a new sign-in is possible.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareCache, saveCredentials, saveSession } from '../../cli/src/cache.ts';
import { getCredentials, isFresh, REFRESH_BEFORE_MS } from '../../cli/src/credentials.ts';
import { newDpopKey } from '../../cli/src/dpop-key.ts';
import { cachedSession, SESSION_RENEW_MS } from '../../cli/src/session.ts';
import { buildContext } from '../../cli/src/settings.ts';
import { tempCache } from '../support/fbroker.ts';

const NOW = Date.parse('2030-06-01T12:00:00Z');
const at = (msFromNow: number): string => new Date(NOW + msFromNow).toISOString();
let root: Awaited<ReturnType<typeof tempCache>>;
let now = NOW;
const messages: string[] = [];
const context = () => buildContext({ broker: 'http://127.0.0.1:9' }, { FBROKER_CACHE_DIR: root.dir }, { out: () => undefined, err: (l) => messages.push(l) }, () => now);

beforeEach(async () => {
  root = await tempCache();
  now = NOW;
  messages.length = 0;
});
afterEach(() => root.remove());

const seedCredentials = async (expiresInMs: number): Promise<void> => {
  const ctx = context();
  await prepareCache(ctx.cache);
  await saveCredentials(ctx.cache, { version: 1, broker: ctx.broker.url, role: 'r', duration: null, sessionId: 's', credentials: { AccessKeyId: 'ASIACACHED', SecretAccessKey: 'x', SessionToken: 'y', Expiration: at(expiresInMs) } });
};

describe('credentials freshness', () => {
  it('fresh means more than 5 minutes left', () => {
    const c = (ms: number) => ({ AccessKeyId: 'a', SecretAccessKey: 'b', SessionToken: 'c', Expiration: at(ms) });
    expect(REFRESH_BEFORE_MS).toBe(300_000);
    expect(isFresh(c(300_001), NOW)).toBe(true);
    expect(isFresh(c(300_000), NOW)).toBe(false);
    expect(isFresh(c(-1), NOW)).toBe(false);
  });

  it('6 minutes left: served from the cache without the broker', async () => {
    await seedCredentials(6 * 60_000);
    await expect(getCredentials(context(), { role: 'r', duration: undefined, allowLogin: false })).resolves.toMatchObject({ AccessKeyId: 'ASIACACHED' });
  });

  it('4 minutes left: renewed — which needs a session (none here: NOT_SIGNED_IN with --no-login)', async () => {
    await seedCredentials(4 * 60_000);
    await expect(getCredentials(context(), { role: 'r', duration: undefined, allowLogin: false })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('credentials of another duration are not used', async () => {
    await seedCredentials(60 * 60_000);
    await expect(getCredentials(context(), { role: 'r', duration: 3600, allowLogin: false })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });
});

describe('session freshness', () => {
  const seedSession = async (expiresInMs: number): Promise<void> => {
    const ctx = context();
    await prepareCache(ctx.cache);
    await saveSession(ctx.cache, { version: 1, broker: ctx.broker.url, session: { id: 's', provider: 'p', subject: 'alice', expiresAt: at(expiresInMs) }, accessToken: 't', dpopKey: (await newDpopKey()).privateJwk, createdAt: at(0) });
  };

  it('is used while more than the asked minimum is left', async () => {
    await seedSession(SESSION_RENEW_MS + 1000);
    expect(await cachedSession(context(), SESSION_RENEW_MS)).toBeDefined();
    now += 2000;
    expect(await cachedSession(context(), SESSION_RENEW_MS)).toBeUndefined();
    expect(await cachedSession(context(), 60_000)).toBeDefined();
  });

  it('an expired session → NOT_SIGNED_IN with --no-login, naming the login command', async () => {
    await seedSession(-1000);
    await expect(getCredentials(context(), { role: 'r', duration: undefined, allowLogin: false })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN', message: expect.stringContaining('fbroker login --broker http://127.0.0.1:9') });
  });
});
