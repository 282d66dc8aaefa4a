// fbroker signing in against the real broker (`npm start`): the built file on the machine's Node 20, a $BROWSER that
// drives headless Chromium through the development IdPs (OIDC and SAML) and the /cli/device page, then the AWS SDK's
// own fromProcess reading what fbroker prints. Sign-ins and exchanges are counted from the broker's audit records.

import { readdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../support/chromium.ts';
import { SIGN_IN_TIMEOUT, startE2e, type AuditEntry, type E2e } from '../support/fbroker-e2e.ts';

const DEV_READONLY = 'arn:aws:iam::111122223333:role/DevReadOnly';
const DEV_POWERUSER = 'arn:aws:iam::111122223333:role/DevPowerUser';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
}, 60_000);
afterAll(() => e2e?.stop());

// No secret ever on stderr (nor in what the browser saw fit to log): whatever a test did.
afterEach(() => {
  const all = e2e.stderrs.splice(0).join('\n');
  for (const secret of e2e.secrets) expect(all).not.toContain(secret);
});

const count = (records: AuditEntry[], route: string, code?: string): number => records.filter((r) => r.route === route && (code === undefined || r.code === code)).length;
const exchanges = (records: AuditEntry[]): Record<string, number> =>
  Object.fromEntries(Object.entries(Object.groupBy(records.filter((r) => r.route === '/token'), (r) => r.roleArn ?? '?')).map(([arn, rs]) => [arn, rs?.length ?? 0]));

/** The AWS SDK's credential_process provider, running the built fbroker on Node 20 as a profile's credential_process. */
const sdkCredentials = async (cache: string, role: string) => {
  const config = join(e2e.work, `config-${role}-${Date.now()}`);
  await writeFile(config, `[profile broker]\ncredential_process = "${e2e.node20}" "${e2e.file}" credentials --broker ${e2e.stack.url} --role ${role} --no-login\n`);
  process.env.FBROKER_CACHE_DIR = cache;
  try {
    return await fromProcess({ profile: 'broker', configFilepath: config, filepath: join(e2e.work, 'no-credentials') })();
  } finally {
    delete process.env.FBROKER_CACHE_DIR;
    await e2e.collect(cache);
  }
};

describe.skipIf(!hasChromium)('fbroker login against npm start', { timeout: 90_000 }, () => {
  it.each([
    { idp: 'oidc', provider: 'dev-oidc', subject: 'alice' },
    { idp: 'saml', provider: 'dev-saml', subject: 'alice@example.com' },
  ] as const)('loopback sign-in through $provider in Chromium, then the SDK’s fromProcess gets the role’s credentials', async ({ idp, provider, subject }) => {
    const cache = await e2e.cache();
    const mark = e2e.mark();
    const login = await e2e.fb(['login', '--provider', provider, '--timeout', SIGN_IN_TIMEOUT], { cache, idp });
    expect(login).toMatchObject({ code: 0, stdout: '', browserOpens: 1 });
    expect(login.stderr).toContain(`fbroker: signed in as ${subject} (${provider})`);
    const credentials = await sdkCredentials(cache, 'dev-readonly');
    expect(credentials.accessKeyId).toMatch(/^ASIALOCALFAKE/);
    expect(credentials.secretAccessKey).toMatch(/^local-fake-secret-/);
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now() + 900_000);
    // What the stderr check of afterEach looks for.
    expect(e2e.secrets).toContain(credentials.secretAccessKey);
    const audit = await e2e.audit(mark);
    expect(audit.filter((r) => r.code === 'SESSION_CREATED')).toEqual([expect.objectContaining({ route: '/cli/token', provider, subject })]);
    // The credentials the SDK got are the ones the broker issued for this session.
    expect(audit.filter((r) => r.route === '/token')).toEqual([expect.objectContaining({ decision: 'grant', roleArn: DEV_READONLY, accessKeyId: credentials.accessKeyId })]);
  });

  it('device sign-in: the code on the /cli/device page is approved in Chromium, then roles are listed', async () => {
    const cache = await e2e.cache();
    const mark = e2e.mark();
    const login = await e2e.deviceLogin({ cache });
    expect(login).toMatchObject({ code: 0, browserCode: 0, stdout: '' });
    const code = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(login.stderr)?.[1];
    expect(login.browserLog).toContain(`device page, code ${code}`);
    const roles = await e2e.fb(['roles', '--json', '--no-login'], { cache });
    expect(roles.code).toBe(0);
    expect(JSON.parse(roles.stdout).roles.map((r: { id: string }) => r.id)).toEqual(['dev-readonly', 'dev-poweruser', 'dev-longsession']);
    expect(count(await e2e.audit(mark), '/cli/token', 'SESSION_CREATED')).toBe(1);
  });

  it('ten concurrent credential_process calls for two roles: one sign-in, one POST /token per role', async () => {
    const cache = await e2e.cache();
    const mark = e2e.mark();
    const roles = ['dev-readonly', 'dev-poweruser'];
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => e2e.fb(['credentials', '--role', roles[i % 2]!, '--timeout', SIGN_IN_TIMEOUT], { cache, timeoutMs: 80_000 })));
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
    expect(runs.reduce((n, r) => n + r.browserOpens, 0)).toBe(1);
    for (const role of [0, 1]) expect(new Set(runs.filter((_, i) => i % 2 === role).map((r) => JSON.parse(r.stdout).AccessKeyId)).size).toBe(1);
    const audit = await e2e.audit(mark);
    expect(count(audit, '/cli/token', 'SESSION_CREATED')).toBe(1);
    expect(exchanges(audit)).toEqual({ [DEV_READONLY]: 1, [DEV_POWERUSER]: 1 });
  });
});

describe.skipIf(!hasChromium)('sign-ins that must end cleanly, with nothing cached', { timeout: 90_000 }, () => {
  const sessionFiles = async (cache: string): Promise<string[]> => (await readdir(cache, { recursive: true })).map(String).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'));

  // bob has no MFA; carol is a contractor (the deny rule): the broker's rules grant them nothing, so no session.
  it.each([
    { user: 'bob', idp: 'oidc', provider: 'dev-oidc', rule: 'NO_ROLE_GRANTED' },
    { user: 'carol', idp: 'saml', provider: 'dev-saml', rule: 'DENIED_BY_RULE' },
  ] as const)('$user through $provider (loopback) → LOGIN_REFUSED, exit 1', async ({ user, idp, provider, rule }) => {
    const cache = await e2e.cache();
    const mark = e2e.mark();
    const run = await e2e.fb(['credentials', '--role', 'dev-readonly', '--provider', provider, '--timeout', SIGN_IN_TIMEOUT], { cache, user, idp });
    expect(run).toMatchObject({ code: 1, stdout: '', browserOpens: 1 });
    expect(run.stderr).toContain('fbroker: LOGIN_REFUSED:');
    expect(await sessionFiles(cache)).toEqual([]);
    const audit = await e2e.audit(mark);
    expect(audit.filter((r) => r.route === '/cli/authorize')).toEqual([expect.objectContaining({ decision: 'deny', code: rule })]);
    expect(count(audit, '/cli/token')).toBe(0);
  });

  it.each([
    { name: 'bob signs in on the device page (the rules grant him nothing)', as: { user: 'bob' }, page: 'Sign-in refused' },
    { name: 'the person cancels on the device page ("I did not start this")', as: { cancel: true }, page: 'Sign-in cancelled' },
  ])('$name → the polling CLI gets access_denied: LOGIN_REFUSED', async ({ as, page }) => {
    const cache = await e2e.cache();
    const run = await e2e.deviceLogin({ cache, ...as });
    expect(run.browserLog).toContain(`end: ${page}`);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('fbroker: LOGIN_REFUSED:');
    expect(await sessionFiles(cache)).toEqual([]);
  });

  it('the broker reached as http://localhost:<port> (it calls itself http://127.0.0.1:<port>) → ISSUER_MISMATCH before any browser opens', async () => {
    const cache = await e2e.cache();
    const localhost = e2e.stack.url.replace('127.0.0.1', 'localhost');
    const run = await e2e.fb(['login', '--broker', localhost, '--timeout', SIGN_IN_TIMEOUT], { cache });
    expect(run).toMatchObject({ code: 1, stdout: '', browserOpens: 0 });
    expect(run.stderr).toContain(`fbroker: ISSUER_MISMATCH: the broker at ${localhost} calls itself ${e2e.stack.url}`);
    const device = await e2e.fb(['login', '--device', '--broker', localhost], { cache });
    expect(device.stderr).toContain('fbroker: ISSUER_MISMATCH:');
    expect(await sessionFiles(cache)).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('hostile surroundings during sign-in', { timeout: 60_000 }, () => {
  const left = async (cache: string): Promise<string[]> => (await readdir(cache, { recursive: true })).map(String).filter((f) => /\.(json|tmp|lock)$/.test(f));
  /** A $BROWSER that starts and does nothing: the person has not signed in (yet). */
  const IDLE_BROWSER = `"${process.execPath}" -e 0`;
  const listenerPort = (stderr: string): number | undefined => {
    const port = /redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)/.exec(stderr)?.[1];
    return port === undefined ? undefined : Number(port);
  };

  it('a $BROWSER that fails: said on stderr with the URL to open by hand; the sign-in then times out, nothing cached', async () => {
    const cache = await e2e.cache();
    const run = await e2e.fb(['login', '--timeout', '2'], { cache, env: { BROWSER: `"${process.execPath}" -e "process.exit(3)"` } });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('the browser command exited with status 3');
    expect(run.stderr).toContain(`${e2e.stack.url}/cli/authorize?response_type=code`);
    expect(run.stderr).toContain('fbroker: LOGIN_TIMEOUT:');
    expect(await left(cache)).toEqual([]);
  });

  it('the loopback port taken → PORT_IN_USE', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const run = await e2e.fb(['login', '--callback-port', String((blocker.address() as AddressInfo).port)], { cache: await e2e.cache() });
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).toContain('fbroker: PORT_IN_USE:');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('Ctrl-C while waiting for the browser: exit 130, the listener closes, nothing half-written in the cache', async () => {
    const cache = await e2e.cache();
    let port: number | undefined;
    const run = await e2e.fb(['credentials', '--role', 'dev-readonly'], {
      cache,
      env: { BROWSER: IDLE_BROWSER },
      onStart: (child, stderr) => {
        const poll = setInterval(() => {
          port = listenerPort(stderr());
          if (port === undefined) return;
          clearInterval(poll);
          child.kill('SIGINT');
        }, 50);
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('fbroker: INTERRUPTED:');
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}/callback`)).rejects.toThrow();
    // The broker's folder may exist (0700, with the lock's parent); no session, credentials, temp file or lock.
    expect(await left(cache)).toEqual([]);
  });

  it('another local program calls the loopback listener first, with a state of its own: answered 400 and ignored; the person then signs in', async () => {
    const cache = await e2e.cache();
    let forged: Promise<number> | undefined;
    let signedIn: Promise<number | null> | undefined;
    const run = await e2e.fb(['login', '--provider', 'dev-oidc', '--timeout', SIGN_IN_TIMEOUT], {
      cache,
      env: { BROWSER: IDLE_BROWSER },
      onStart: (_child, stderr) => {
        const poll = setInterval(() => {
          const authorize = /^\s+(http:\/\/\S+\/cli\/authorize\?\S+)$/m.exec(stderr())?.[1];
          if (authorize === undefined) return;
          clearInterval(poll);
          const callback = new URL(`http://127.0.0.1:${listenerPort(stderr())}/callback`);
          callback.search = new URLSearchParams({ code: 'forged', state: 'forged-state', iss: e2e.stack.url }).toString();
          forged = fetch(callback).then((r) => r.status);
          signedIn = forged.then(() => e2e.person(authorize, {}, join(e2e.work, 'forged.log')));
        }, 50);
      },
    });
    expect(await forged).toBe(400);
    expect(await signedIn).toBe(0);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toContain('fbroker: signed in as alice (dev-oidc)');
  });
});
