// The cache: layout and permissions (0700 folders, 0600 files), files refused when others could read or write
// them (never used, and the message says why), and files that are truncated, edited, or of another broker
// (reported and treated as absent).

import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBrokerUrl } from '../../cli/src/broker-url.ts';
import { brokerCache, loadCredentials, loadSession, prepareCache, saveCredentials, saveSession, type BrokerCache, type SessionFile } from '../../cli/src/cache.ts';
import { getCredentials } from '../../cli/src/credentials.ts';
import { newDpopKey } from '../../cli/src/dpop-key.ts';
import { CliError } from '../../cli/src/errors.ts';
import { buildContext } from '../../cli/src/settings.ts';
import { tempCache } from '../support/fbroker.ts';

const BROKER = parseBrokerUrl('https://broker.example.com/');
let root: Awaited<ReturnType<typeof tempCache>>;
let cache: BrokerCache;

const session = async (broker = BROKER.url): Promise<SessionFile> => ({
  version: 1,
  broker,
  session: { id: 'ses-1', provider: 'corp-oidc', subject: 'alice', expiresAt: '2030-01-01T08:00:00.000Z' },
  accessToken: 'session-token-secret',
  dpopKey: (await newDpopKey()).privateJwk,
  createdAt: '2030-01-01T00:00:00.000Z',
});
const credentials = { AccessKeyId: 'ASIAX', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: '2030-01-01T01:00:00.000Z' };

beforeEach(async () => {
  root = await tempCache();
  cache = brokerCache(join(root.dir, 'federation-broker'), BROKER);
});
afterEach(() => root.remove());

describe('layout', () => {
  it('one 0700 folder per broker URL, 0600 files, no temp file left', async () => {
    await prepareCache(cache);
    await saveSession(cache, await session());
    await saveCredentials(cache, { version: 1, broker: BROKER.url, role: 'readonly@payments-prod', duration: 3600, sessionId: 'ses-1', credentials });
    expect((await stat(cache.root)).mode & 0o777).toBe(0o700);
    expect((await stat(cache.dir)).mode & 0o777).toBe(0o700);
    const files = (await readdir(cache.dir)).sort();
    expect(files).toEqual([expect.stringMatching(/^credentials-readonly_payments-prod-3600-[0-9a-f]{10}\.json$/), 'session.json']);
    for (const f of files) expect((await stat(join(cache.dir, f))).mode & 0o777).toBe(0o600);
    expect(cache.dir).toMatch(/broker\.example\.com-[0-9a-f]{12}$/);
  });

  it('the same broker written differently shares a folder; another path or host does not', () => {
    const dir = (url: string) => brokerCache('/c', parseBrokerUrl(url)).dir;
    expect(dir('https://broker.example.com')).toBe(dir('https://broker.example.com///'));
    expect(dir('https://broker.example.com')).not.toBe(dir('https://broker.example.com/prod'));
    expect(dir('https://broker.example.com')).not.toBe(dir('https://other.example.com'));
  });

  it('refuses plain http to anything but this machine', () => {
    expect(() => parseBrokerUrl('http://broker.example.com')).toThrow(expect.objectContaining({ code: 'INSECURE_BROKER_URL' }));
    expect(parseBrokerUrl('http://127.0.0.1:3000').insecure).toBe(true);
  });
});

describe('files other users could read or write are refused, never used', () => {
  const rows = [
    { name: 'session readable by everyone (0644)', file: 'session', mode: 0o644, why: /readable by other users \(mode 0644\)/ },
    { name: 'session readable by the group (0640)', file: 'session', mode: 0o640, why: /readable by other users/ },
    { name: 'session writable by the group (0620)', file: 'session', mode: 0o620, why: /writable by other users/ },
    { name: 'credentials readable by everyone (0604)', file: 'credentials', mode: 0o604, why: /readable by other users/ },
    { name: 'credentials writable by everyone (0602)', file: 'credentials', mode: 0o602, why: /writable by other users/ },
  ] as const;

  it.each(rows)('$name → CACHE_INSECURE saying why', async ({ file, mode, why }) => {
    await prepareCache(cache);
    await saveSession(cache, await session());
    await saveCredentials(cache, { version: 1, broker: BROKER.url, role: 'r', duration: null, sessionId: 'ses-1', credentials });
    const path = file === 'session' ? cache.sessionFile : cache.credentialsFile('r', undefined);
    await chmod(path, mode);
    const load = file === 'session' ? loadSession(cache, BROKER) : loadCredentials(cache, BROKER, 'r', undefined);
    await expect(load).rejects.toMatchObject({ code: 'CACHE_INSECURE', message: expect.stringMatching(why) });
  });

  it('the valid file (0600) is used', async () => {
    await prepareCache(cache);
    await saveSession(cache, await session());
    expect((await loadSession(cache, BROKER)).kind).toBe('ok');
  });

  it('a symlink in place of the session file is refused', async () => {
    await prepareCache(cache);
    const elsewhere = join(root.dir, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify(await session()), { mode: 0o600 });
    await symlink(elsewhere, cache.sessionFile);
    await expect(loadSession(cache, BROKER)).rejects.toMatchObject({ code: 'CACHE_INSECURE' });
  });

  it('a cache folder open to others is refused with the chmod it needs', async () => {
    await mkdir(cache.root, { mode: 0o755 });
    await chmod(cache.root, 0o755);
    await expect(prepareCache(cache)).rejects.toMatchObject({ code: 'CACHE_INSECURE', message: expect.stringContaining('mode 0755') });
  });

  it('credentials refuses to print from an exposed file (exit path: CliError CACHE_INSECURE)', async () => {
    await prepareCache(cache);
    await saveCredentials(cache, { version: 1, broker: BROKER.url, role: 'r', duration: null, sessionId: 'ses-1', credentials: { ...credentials, Expiration: new Date(Date.now() + 3600_000).toISOString() } });
    await chmod(cache.credentialsFile('r', undefined), 0o644);
    const ctx = buildContext({ broker: BROKER.url }, { FBROKER_CACHE_DIR: cache.root }, { out: () => undefined, err: () => undefined });
    const error = await getCredentials(ctx, { role: 'r', duration: undefined, allowLogin: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'CACHE_INSECURE' });
  });
});

describe('files that are damaged, edited, or not ours are reported and treated as absent', () => {
  const mutations: ReadonlyArray<{ name: string; mutate: (text: string) => string; reason: RegExp }> = [
    { name: 'truncated', mutate: (t) => t.slice(0, t.length / 2), reason: /not valid JSON/ },
    { name: 'empty', mutate: () => '', reason: /not valid JSON/ },
    { name: 'from another broker URL', mutate: (t) => t.replace('https://broker.example.com', 'https://evil.example'), reason: /another broker/ },
    { name: 'session token removed by hand', mutate: (t) => JSON.stringify({ ...JSON.parse(t), accessToken: undefined }), reason: /malformed/ },
    { name: 'DPoP key without its private part', mutate: (t) => JSON.stringify({ ...JSON.parse(t), dpopKey: { ...JSON.parse(t).dpopKey, d: undefined } }), reason: /malformed/ },
    { name: 'expiry that is not a time', mutate: (t) => t.replace('2030-01-01T08:00:00.000Z', 'tomorrow'), reason: /malformed/ },
    { name: 'another cache version', mutate: (t) => t.replace('"version": 1', '"version": 2'), reason: /version/ },
  ];
  it('the unmodified file loads', async () => {
    await prepareCache(cache);
    await saveSession(cache, await session());
    expect(await loadSession(cache, BROKER)).toMatchObject({ kind: 'ok', value: { session: { id: 'ses-1' } } });
  });
  it.each(mutations)('$name', async ({ mutate, reason }) => {
    await prepareCache(cache);
    await saveSession(cache, await session());
    await writeFile(cache.sessionFile, mutate(await readFile(cache.sessionFile, 'utf8')));
    const loaded = await loadSession(cache, BROKER);
    expect(loaded).toMatchObject({ kind: 'unusable', reason: expect.stringMatching(reason) });
  });

  it('credentials moved to another role\'s file name are not used for that role', async () => {
    await prepareCache(cache);
    await saveCredentials(cache, { version: 1, broker: BROKER.url, role: 'readonly', duration: null, sessionId: 'ses-1', credentials });
    await writeFile(cache.credentialsFile('admin', undefined), await readFile(cache.credentialsFile('readonly', undefined)), { mode: 0o600 });
    expect(await loadCredentials(cache, BROKER, 'admin', undefined)).toMatchObject({ kind: 'unusable', reason: expect.stringContaining('another role') });
  });
});
