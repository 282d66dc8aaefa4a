// fbroker against a broker that misbehaves — what the real one (test/e2e/fbroker-*.test.ts) never does, so a
// stand-in answers here (test/support/cli-broker-stub.ts). One row per hostile answer, each the valid exchange with
// one answer changed: fbroker fails with a stable code, prints nothing on stdout, caches no credentials, and no
// secret the stand-in handed out appears on stderr. fbroker runs from its source on the pinned Node.

import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR, startStubBroker, type StubBehaviour, type StubBroker } from '../support/cli-broker-stub.ts';
import { FOLLOWING_BROWSER, runFbroker, tempCache } from '../support/fbroker.ts';

let broker: StubBroker;
let cache: { dir: string; remove: () => Promise<void> };
const stderrs: string[] = [];

beforeAll(async () => {
  broker = await startStubBroker();
});
afterAll(() => broker.stop());

beforeEach(async () => {
  cache = await tempCache();
  Object.assign(broker.behaviour, { iss: undefined, codeIss: undefined }, DEFAULT_BEHAVIOUR);
  Object.assign(broker.counts, { signIns: 0, exchanges: {} });
  broker.proofErrors.length = 0;
});

// No secret ever on stderr: whatever a row did, nothing the stand-in handed out appears in fbroker's stderr.
afterEach(async () => {
  const all = stderrs.splice(0).join('\n');
  for (const secret of broker.issued) expect(all).not.toContain(secret);
  await cache.remove();
});

const fb = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const run = await runFbroker(args, { env: { FBROKER_URL: broker.url, FBROKER_CACHE_DIR: cache.dir, BROWSER: FOLLOWING_BROWSER, ...env } });
  stderrs.push(run.stderr);
  return run;
};

const cached = async (): Promise<string[]> => (await readdir(cache.dir, { recursive: true })).map(String).filter((f) => /\.(json|tmp)$/.test(f)).map((f) => f.replace(/^.*\//, '').replace(/-[^-]*$/, ''));

const EVIL = 'https://evil.example';

describe('a broker that misbehaves', () => {
  const rows: ReadonlyArray<{ name: string; change: Partial<StubBehaviour>; code: string; signsIn: boolean }> = [
    { name: 'POST /token answers an HTML page with 200', change: { token: 'garbage' }, code: 'BROKER_BAD_RESPONSE', signsIn: true },
    { name: "POST /token answers a gateway's 502 page", change: { token: 'gateway' }, code: 'HTTP_502', signsIn: true },
    { name: 'POST /token refuses the role', change: { token: 'error' }, code: 'ROLE_NOT_GRANTED', signsIn: true },
    { name: 'POST /token returns credentials that have already expired', change: { token: 'expired' }, code: 'CREDENTIALS_EXPIRED', signsIn: true },
    { name: 'the session is a Bearer token, not bound to fbroker’s DPoP key', change: { sessionTokenType: 'Bearer' }, code: 'BROKER_BAD_RESPONSE', signsIn: true },
    { name: 'every authorization answer names another issuer', change: { iss: EVIL }, code: 'ISSUER_MISMATCH', signsIn: false },
    { name: 'the answer with the code names another issuer (mix-up)', change: { codeIss: EVIL }, code: 'ISSUER_MISMATCH', signsIn: false },
    { name: 'no CLI sign-in: every /cli route answers 404', change: { cli: false }, code: 'CLI_SIGN_IN_UNAVAILABLE', signsIn: false },
  ];

  it('valid: the broker as it should answer → credential_process JSON, session and credentials cached', async () => {
    const run = await fb(['credentials', '--role', 'dev-readonly', '--timeout', '5']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIASTUBFAKE/) });
    expect((await cached()).sort()).toEqual(['credentials-dev-readonly-default', 'session.json']);
    expect(broker.counts).toEqual({ signIns: 1, exchanges: { 'dev-readonly': 1 } });
    expect(broker.proofErrors).toEqual([]);
  });

  it.each(rows)('$name → $code, exit 1, no credentials cached', async ({ change, code, signsIn }) => {
    Object.assign(broker.behaviour, change);
    const run = await fb(['credentials', '--role', 'dev-readonly', '--timeout', '5']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^fbroker: ${code}: `, 'm'));
    expect((await cached()).filter((f) => f.startsWith('credentials-'))).toEqual([]);
    // A sign-in that fails never reaches the token endpoint, and the browser is not even opened before the issuer check.
    expect(broker.counts.signIns).toBe(signsIn ? 1 : 0);
    if (change.iss !== undefined || change.cli === false) expect(run.stderr).not.toContain('in your browser');
  });

  it('a broker that has gone away → BROKER_UNREACHABLE', async () => {
    const gone = await startStubBroker();
    const env = { FBROKER_URL: gone.url };
    expect((await fb(['login'], env)).code).toBe(0);
    await gone.stop();
    const run = await fb(['credentials', '--role', 'dev-readonly', '--no-login'], env);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('fbroker: BROKER_UNREACHABLE:');
  });
});
