// fbroker's sign-in and exchange flows end to end against a stand-in for the broker's CLI routes
// (test/support/cli-broker-stub.ts): loopback sign-in driven by a $BROWSER, the device flow, the cache, the
// concurrency lock, and a broker or surroundings that misbehave.

import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStubBroker, type StubBroker } from '../support/cli-broker-stub.ts';
import { FOLLOWING_BROWSER, runFbroker, tempCache, type RunOptions } from '../support/fbroker.ts';

let broker: StubBroker;
let cache: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  broker = await startStubBroker();
});
afterAll(() => broker.stop());

beforeEach(async () => {
  cache = await tempCache();
  Object.assign(broker.behaviour, { token: 'ok', authorize: 'approve', iss: undefined, devicePendingPolls: 1 });
  Object.assign(broker.counts, { signIns: 0, exchanges: {}, roles: 0, console: 0, revocations: 0, devicePolls: 0 });
  broker.proofErrors.length = 0;
});
const stderrs: string[] = [];

// No secret ever on stderr: whatever a test did, nothing the broker handed out appears in fbroker's stderr.
afterEach(async () => {
  const all = stderrs.splice(0).join('\n');
  for (const secret of broker.issued) expect(all).not.toContain(secret);
  await cache.remove();
});

const fb = async (args: string[], options: RunOptions & { browser?: string } = {}) => {
  const run = await runFbroker(args, {
    ...options,
    env: { FBROKER_URL: broker.url, FBROKER_CACHE_DIR: cache.dir, BROWSER: options.browser ?? FOLLOWING_BROWSER, ...options.env },
  });
  stderrs.push(run.stderr);
  return run;
};

const filesIn = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String).sort();

describe('sign-in and credentials', () => {
  it('signs in through the browser once, then serves credential_process JSON from the cache', async () => {
    const first = await fb(['credentials', '--role', 'dev-readonly']);
    expect(first.code).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(Object.keys(json).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version']);
    expect(json.AccessKeyId).toMatch(/^ASIASTUBFAKE/);
    const second = await fb(['credentials', '--role', 'dev-readonly', '--no-login']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(json);
    expect(broker.counts.signIns).toBe(1);
    expect(broker.counts.exchanges).toEqual({ 'dev-readonly': 1 });
    expect(broker.proofErrors).toEqual([]);
  });

  it('signs in with the device flow and prints the code, not a secret', async () => {
    const run = await fb(['login', '--device']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('BCDF-GHJK');
    expect(run.stdout).toBe('');
    expect(broker.counts.signIns).toBe(1);
    expect(broker.counts.devicePolls).toBe(2);
    const roles = await fb(['roles', '--json', '--no-login']);
    expect(JSON.parse(roles.stdout).roles[0].id).toBe('dev-readonly');
  });

  it('ten concurrent credential_process calls cause one sign-in and one exchange per role', async () => {
    const roles = ['dev-readonly', 'ops-admin'];
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => fb(['credentials', '--role', roles[i % 2]!], { timeoutMs: 60_000 })));
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
    expect(broker.counts.signIns).toBe(1);
    expect(broker.counts.exchanges).toEqual({ 'dev-readonly': 1, 'ops-admin': 1 });
    for (const role of [0, 1]) expect(new Set(runs.filter((_, i) => i % 2 === role).map((r) => JSON.parse(r.stdout).AccessKeyId)).size).toBe(1);
  }, 90_000);

  it('a session revoked at the broker: --no-login fails cleanly, without it fbroker signs in again', async () => {
    expect((await fb(['login'])).code).toBe(0);
    broker.revokeAll();
    const refused = await fb(['credentials', '--role', 'dev-readonly', '--no-login']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/SESSION_REVOKED: .*\(request_id req-/);
    expect(refused.stdout).toBe('');
    const renewed = await fb(['credentials', '--role', 'dev-readonly']);
    expect(renewed.code).toBe(0);
    expect(broker.counts.signIns).toBe(2);
  });

  it('status and logout: the session is revoked at the broker and the cache deleted', async () => {
    await fb(['credentials', '--role', 'dev-readonly']);
    const status = await fb(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ signedIn: true, session: { subject: 'alice' }, credentials: [{ role: 'dev-readonly', fresh: true }] });
    const out = await fb(['logout']);
    expect(out.code).toBe(0);
    expect(broker.counts.revocations).toBe(1);
    expect(await filesIn(cache.dir)).toEqual([]);
    expect((await fb(['status'])).code).toBe(1);
  });

  it('console --print prints the sign-in URL; roles lists the roles', async () => {
    const run = await fb(['console', '--role', 'dev-readonly', '--print']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^https:\/\/signin\.aws\.amazon\.com\/federation\?/);
    expect(run.stderr).not.toContain('SigninToken');
    const roles = await fb(['roles']);
    expect(roles.stdout).toMatch(/dev-readonly\s+111122223333\s+Dev account/);
  });
});

describe('a broker that misbehaves', () => {
  const rows = [
    { name: 'answers HTML instead of credentials', token: 'garbage', code: 'BROKER_BAD_RESPONSE' },
    { name: 'refuses the role', token: 'error', code: 'ROLE_NOT_GRANTED' },
    { name: 'returns credentials that have already expired', token: 'expired', code: 'CREDENTIALS_EXPIRED' },
  ] as const;
  it.each(rows)('$name → $code, exit 1, nothing cached', async ({ token, code }) => {
    broker.behaviour.token = token;
    const run = await fb(['credentials', '--role', 'dev-readonly']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`fbroker: ${code}:`);
    expect(run.stdout).toBe('');
    expect((await filesIn(cache.dir)).filter((f) => f.includes('credentials-'))).toEqual([]);
  });

  it('an authorization answer naming another issuer is refused (mix-up)', async () => {
    broker.behaviour.iss = 'https://evil.example';
    const run = await fb(['login']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('fbroker: ISSUER_MISMATCH:');
    expect(broker.counts.signIns).toBe(0);
  });

  it('a callback with a state of its own is answered 400 and ignored; the real one then signs in', async () => {
    const run = await fb(['login'], { browser: `${FOLLOWING_BROWSER} --forge-first` });
    expect(run.code).toBe(0);
    expect(broker.counts.signIns).toBe(1);
  });

  it('a denied sign-in ends with LOGIN_REFUSED', async () => {
    broker.behaviour.authorize = 'deny';
    const run = await fb(['login']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('fbroker: LOGIN_REFUSED:');
  });

  it('a broker that has gone away → BROKER_UNREACHABLE', async () => {
    const gone = await startStubBroker();
    const env = { FBROKER_URL: gone.url, FBROKER_CACHE_DIR: cache.dir, BROWSER: FOLLOWING_BROWSER };
    expect((await runFbroker(['login'], { env })).code).toBe(0);
    await gone.stop();
    const run = await runFbroker(['roles', '--no-login'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('fbroker: BROKER_UNREACHABLE:');
  });
});

describe('hostile surroundings during sign-in', () => {
  it('a $BROWSER that fails: the URL is on stderr, and the sign-in times out cleanly', async () => {
    const run = await fb(['login', '--timeout', '2'], { browser: `"${process.execPath}" -e "process.exit(3)"` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('exited with status 3');
    expect(run.stderr).toMatch(/\/cli\/authorize\?response_type=code/);
    expect(run.stderr).toContain('fbroker: LOGIN_TIMEOUT:');
    expect((await filesIn(cache.dir)).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('the loopback port taken → PORT_IN_USE', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await fb(['login', '--callback-port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('fbroker: PORT_IN_USE:');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('Ctrl-C while waiting for the browser: the listener closes, nothing is left in the cache', async () => {
    let port = 0;
    const run = await fb(['credentials', '--role', 'dev-readonly'], {
      browser: `"${process.execPath}" -e "0"`,
      onStart: (child, stderr) => {
        const poll = setInterval(() => {
          const m = /redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)/.exec(stderr());
          if (m === null) return;
          clearInterval(poll);
          port = Number(m[1]);
          child.kill('SIGINT');
        }, 50);
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('fbroker: INTERRUPTED:');
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
    // The broker's folder may exist (0700); no session, credentials, temp file or lock may remain in it.
    expect((await filesIn(cache.dir)).filter((f) => /\.(json|tmp|lock)$/.test(f))).toEqual([]);
  });
});
