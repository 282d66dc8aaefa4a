// What a signed-in fbroker does against the real broker (`npm start`), the built file on the machine's Node 20: the
// AWS CLI v2 (Debian's /usr/bin/aws) through credential_process and through `fbroker exec`, the AWS SDK's container
// provider through `fbroker serve`, the console sign-in URL; session files it must not use; and sessions the broker
// must refuse: revoked at the broker, ended by `logout`, or presented with another DPoP key.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fromContainerMetadata } from '@smithy/credential-provider-imds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newDpopKey } from '../../cli/src/dpop-key.ts';
import { hasChromium } from '../support/chromium.ts';
import { SIGN_IN_TIMEOUT, startE2e, type E2e } from '../support/fbroker-e2e.ts';

const run = promisify(execFile);
// Debian's awscli is v2 (.ci/run installs it); a pyenv `aws` v1 may come first on PATH, so this one is named.
const AWS = '/usr/bin/aws';
const hasAwsCli = existsSync(AWS);
const awsTitle = (title: string): string => (hasAwsCli ? title : `${title} — SKIPPED: ${AWS} is absent (install Debian's awscli, as .ci/run does)`);

let e2e: E2e;
/** A cache signed in as alice once, for the tests that only use the session. */
let signedIn: string;

beforeAll(async () => {
  e2e = await startE2e();
  if (!hasChromium) return;
  signedIn = await e2e.cache();
  const login = await e2e.fb(['login', '--provider', 'dev-oidc', '--timeout', SIGN_IN_TIMEOUT], { cache: signedIn });
  if (login.code !== 0) throw new Error(`sign-in failed:\n${login.stderr}\n${login.browserLog}`);
}, 90_000);
afterAll(() => e2e?.stop());

afterEach(() => {
  const all = e2e.stderrs.splice(0).join('\n');
  for (const secret of e2e.secrets) expect(all).not.toContain(secret);
});

/** The AWS CLI's environment: nothing from this machine's ~/.aws, a region, no instance metadata. */
const awsEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  HOME: e2e.work,
  AWS_CONFIG_FILE: join(e2e.work, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(e2e.work, 'no-aws-credentials'),
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
});

const sessionFileOf = async (cache: string): Promise<string> => {
  const file = (await readdir(cache, { recursive: true })).map(String).find((f) => f.endsWith('session.json'));
  if (file === undefined) throw new Error(`no session in ${cache}`);
  return join(cache, file);
};

describe.skipIf(!hasChromium)('a signed-in fbroker against npm start', { timeout: 90_000 }, () => {
  it.skipIf(!hasAwsCli)(awsTitle('the AWS CLI v2 signs sts get-caller-identity with what fbroker prints as its credential_process'), async () => {
    const config = join(e2e.work, 'aws-config');
    await writeFile(config, `[profile broker]\ncredential_process = "${e2e.node20}" "${e2e.file}" credentials --broker ${e2e.stack.url} --role dev-readonly --no-login\n`);
    const { stdout } = await run(AWS, ['sts', 'get-caller-identity', '--profile', 'broker', '--endpoint-url', e2e.sts, '--output', 'json'], {
      env: { PATH: process.env.PATH, ...awsEnv({ AWS_CONFIG_FILE: config, FBROKER_CACHE_DIR: signedIn }) },
    });
    // The offline STS names the session of the key that signed the call: the role fbroker got for alice.
    expect(JSON.parse(stdout)).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/DevReadOnly/alice@example.com' });
  });

  it.skipIf(!hasAwsCli)(awsTitle('`fbroker exec -- aws sts get-caller-identity`: the AWS CLI v2 reads the container endpoint; exit status is the CLI’s'), async () => {
    const ok = await e2e.fb(['exec', '--role', 'dev-poweruser', '--no-login', '--', AWS, 'sts', 'get-caller-identity', '--endpoint-url', e2e.sts, '--output', 'json'], { cache: signedIn, env: awsEnv() });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ Arn: 'arn:aws:sts::111122223333:assumed-role/DevPowerUser/alice@example.com' });
    const failing = await e2e.fb(['exec', '--role', 'dev-poweruser', '--no-login', '--', AWS, 'sts', 'no-such-operation'], { cache: signedIn, env: awsEnv() });
    expect(failing.code).toBe(252);
  });

  it("`fbroker serve`: the AWS SDK's fromContainerMetadata gets the credentials the broker issued; Ctrl-C stops it with status 0", async () => {
    const mark = e2e.mark();
    let got: ReturnType<ReturnType<typeof fromContainerMetadata>> | undefined;
    const run = await e2e.fb(['serve', '--role', 'dev-readonly', '--duration', '900', '--no-login'], {
      cache: signedIn,
      onStart: (child) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const uri = /^export AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)$/m.exec(out)?.[1];
          const token = /^export AWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)$/m.exec(out)?.[1];
          if (uri === undefined || token === undefined || got !== undefined) return;
          process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri;
          process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = token;
          got = fromContainerMetadata({ timeout: 5000 })().finally(() => {
            delete process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
            delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
            child.kill('SIGINT');
          });
        });
      },
    });
    expect(run.code).toBe(0);
    const credentials = await got!;
    const issued = (await e2e.audit(mark)).filter((r) => r.route === '/token');
    expect(issued).toEqual([expect.objectContaining({ decision: 'grant', roleArn: 'arn:aws:iam::111122223333:role/DevReadOnly', accessKeyId: credentials.accessKeyId })]);
  });

  it('console --print: the URL of the local federation emulator, which accepts its sign-in token', async () => {
    const run = await e2e.fb(['console', '--role', 'dev-readonly', '--no-login', '--print'], { cache: signedIn });
    expect(run.code).toBe(0);
    const url = new URL(run.stdout.trim());
    expect(`${url.origin}${url.pathname}`).toBe(`${e2e.stack.url}/__local/federation`);
    expect(url.searchParams.get('Action')).toBe('login');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>AWS console (local emulator)</h1>');
  });

  it('the session token presented with another DPoP key → DPOP_INVALID; the session itself stays good', async () => {
    const cache = await e2e.cache();
    await cp(signedIn, cache, { recursive: true });
    const file = await sessionFileOf(cache);
    const session = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...session, dpopKey: (await newDpopKey()).privateJwk }));
    const mark = e2e.mark();
    const stolen = await e2e.fb(['roles', '--no-login'], { cache });
    expect(stolen).toMatchObject({ code: 1, stdout: '' });
    expect(stolen.stderr).toMatch(/^fbroker: DPOP_INVALID: .*\(request_id \S+\)$/m);
    expect(existsSync(file)).toBe(false);
    expect((await e2e.audit(mark)).filter((r) => r.route === '/roles')).toEqual([expect.objectContaining({ decision: 'deny', code: 'DPOP_INVALID', sessionId: session.session.id })]);
    expect((await e2e.fb(['roles', '--no-login'], { cache: signedIn })).code).toBe(0);
  });
});

describe.skipIf(!hasChromium)('a session file fbroker must not use: refused or ignored, saying why; nothing is sent', { timeout: 60_000 }, () => {
  const rows: ReadonlyArray<{ name: string; change: (file: string, text: string) => Promise<void>; code: number; says: RegExp }> = [
    { name: 'valid: the signed-in session file, unchanged', change: async () => undefined, code: 0, says: /^$/ },
    { name: 'readable by everyone (0644)', change: (file) => chmod(file, 0o644), code: 1, says: /^fbroker: CACHE_INSECURE: .*readable by other users \(mode 0644\)/m },
    { name: 'truncated', change: (file, text) => writeFile(file, text.slice(0, text.length / 2)), code: 1, says: /ignoring the cached session: .*not valid JSON[^]*fbroker: NOT_SIGNED_IN: /m },
    { name: 'edited by hand (session token removed)', change: (file, text) => writeFile(file, JSON.stringify({ ...JSON.parse(text), accessToken: undefined })), code: 1, says: /malformed \(edited by hand\?\)[^]*fbroker: NOT_SIGNED_IN: /m },
    { name: 'from another broker URL', change: (file, text) => writeFile(file, text.replaceAll(e2e.stack.url, 'https://broker.example.com')), code: 1, says: /belongs to another broker \(https:\/\/broker\.example\.com\)[^]*fbroker: NOT_SIGNED_IN: /m },
  ];

  it.each(rows)('$name', async ({ change, code, says }) => {
    const cache = await e2e.cache();
    await cp(signedIn, cache, { recursive: true });
    const file = await sessionFileOf(cache);
    await change(file, await readFile(file, 'utf8'));
    const mark = e2e.mark();
    const run = await e2e.fb(['roles', '--json', '--no-login'], { cache });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(says);
    expect((await e2e.audit(mark)).filter((r) => r.route === '/roles')).toHaveLength(code === 0 ? 1 : 0);
  });
});

describe.skipIf(!hasChromium)('sessions the broker has ended', { timeout: 90_000 }, () => {
  it('revoked at the broker (POST /cli/revoke): --no-login fails with SESSION_REVOKED, without it fbroker signs in again', async () => {
    const cache = await e2e.cache();
    const mark = e2e.mark();
    expect((await e2e.fb(['login', '--provider', 'dev-oidc', '--timeout', SIGN_IN_TIMEOUT], { cache })).code).toBe(0);
    const { accessToken } = JSON.parse(await readFile(await sessionFileOf(cache), 'utf8'));
    // What anyone holding the token (or the operator's tooling) can do: RFC 7009 revocation.
    expect((await fetch(`${e2e.stack.url}/cli/revoke`, { method: 'POST', body: new URLSearchParams({ token: accessToken }) })).status).toBe(200);
    const refused = await e2e.fb(['credentials', '--role', 'dev-readonly', '--no-login'], { cache });
    expect(refused).toMatchObject({ code: 1, stdout: '', browserOpens: 0 });
    expect(refused.stderr).toMatch(/^fbroker: SESSION_REVOKED: .*\(request_id \S+\)$/m);
    const again = await e2e.fb(['credentials', '--role', 'dev-readonly', '--provider', 'dev-oidc', '--timeout', SIGN_IN_TIMEOUT], { cache });
    expect(again).toMatchObject({ code: 0, browserOpens: 1 });
    expect(JSON.parse(again.stdout)).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
    const audit = await e2e.audit(mark);
    expect(audit.filter((r) => r.code === 'SESSION_CREATED' || r.code === 'SESSION_REVOKED').map((r) => `${r.route} ${r.decision} ${r.code}`)).toEqual([
      '/cli/token grant SESSION_CREATED',
      '/cli/revoke grant SESSION_REVOKED',
      '/token deny SESSION_REVOKED',
      '/cli/token grant SESSION_CREATED',
    ]);
  });

  it('logout revokes the session at the broker: the same session file, put back, is refused', async () => {
    const cache = await e2e.cache();
    expect((await e2e.fb(['login', '--provider', 'dev-oidc', '--timeout', SIGN_IN_TIMEOUT], { cache })).code).toBe(0);
    const status = await e2e.fb(['status', '--json'], { cache });
    expect(JSON.parse(status.stdout)).toMatchObject({ signedIn: true, session: { subject: 'alice', provider: 'dev-oidc' } });
    const file = await sessionFileOf(cache);
    const saved = await readFile(file, 'utf8');
    const out = await e2e.fb(['logout'], { cache });
    expect(out).toMatchObject({ code: 0, stdout: '' });
    expect(out.stderr).toContain('session revoked, cache deleted');
    expect(existsSync(dirname(file))).toBe(false);
    await mkdir(dirname(file), { mode: 0o700 });
    await writeFile(file, saved, { mode: 0o600 });
    const refused = await e2e.fb(['roles', '--no-login'], { cache });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('fbroker: SESSION_REVOKED:');
  });
});
