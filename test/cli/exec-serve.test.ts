// `fbroker exec` and `fbroker serve` as processes, fed from a seeded cache (no broker): the AWS SDK's default
// credential chain in the child finds the endpoint (variables that would shadow it are removed), the child's
// exit status is fbroker's, and serve prints the two export lines and stops on Ctrl-C.

import { resolve } from 'node:path';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBrokerUrl } from '../../cli/src/broker-url.ts';
import { brokerCache, prepareCache, saveCredentials } from '../../cli/src/cache.ts';
import { runFbroker, tempCache } from '../support/fbroker.ts';

const BROKER = 'http://127.0.0.1:9';
const CHILD = resolve(import.meta.dirname, 'sdk-child.ts');
let work: Awaited<ReturnType<typeof tempCache>>;

beforeAll(async () => {
  work = await tempCache();
  const broker = parseBrokerUrl(BROKER);
  const cache = brokerCache(work.dir, broker);
  await prepareCache(cache);
  await saveCredentials(cache, { version: 1, broker: broker.url, role: 'dev-readonly', duration: null, sessionId: 's', credentials: { AccessKeyId: 'ASIAEXEC00000001', SecretAccessKey: 'exec-secret', SessionToken: 'exec-token', Expiration: new Date(Date.now() + 3600_000).toISOString() } });
});
afterAll(() => work?.remove());

const env = () => ({ FBROKER_URL: BROKER, FBROKER_CACHE_DIR: work.dir });

describe('exec', () => {
  it("the child's AWS SDK default chain gets the role's credentials from the endpoint, not from shadowing variables", async () => {
    const run = await runFbroker(['exec', '--role', 'dev-readonly', '--no-login', '--', process.execPath, CHILD], {
      env: { ...env(), AWS_ACCESS_KEY_ID: 'AKIASHADOW', AWS_SECRET_ACCESS_KEY: 'shadow', AWS_PROFILE: 'nope', AWS_CONFIG_FILE: resolve(work.dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: resolve(work.dir, 'none') },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ accessKeyId: 'ASIAEXEC00000001', hasExpiration: true, shadowed: null });
    expect(run.stderr).not.toContain('exec-secret');
  });

  it("exit status = the command's", async () => {
    expect((await runFbroker(['exec', '--role', 'dev-readonly', '--no-login', '--', process.execPath, '-e', 'process.exit(7)'], { env: env() })).code).toBe(7);
  });

  it('a command that does not exist → COMMAND_NOT_FOUND, exit 1', async () => {
    const run = await runFbroker(['exec', '--role', 'dev-readonly', '--no-login', '--', 'fbroker-no-such-command'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('fbroker: COMMAND_NOT_FOUND:');
  });

  it('no credentials to be had → refused before the command runs', async () => {
    const run = await runFbroker(['exec', '--role', 'other-role', '--no-login', '--', process.execPath, '-e', 'console.log("ran")'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('NOT_SIGNED_IN');
  });
});

describe('serve', () => {
  it('prints the two export lines, serves the SDK, and stops on Ctrl-C with status 0', async () => {
    let seen: { accessKeyId: string } | undefined;
    const run = await runFbroker(['serve', '--role', 'dev-readonly', '--no-login'], {
      env: env(),
      onStart: (child) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const uri = /^export AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)$/m.exec(out)?.[1];
          const token = /^export AWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)$/m.exec(out)?.[1];
          if (uri === undefined || token === undefined || seen !== undefined) return;
          seen = { accessKeyId: '' };
          fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: token })().then(
            (c) => {
              seen = c;
              child.kill('SIGINT');
            },
            () => child.kill('SIGKILL'),
          );
        });
      },
    });
    expect(seen?.accessKeyId).toBe('ASIAEXEC00000001');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^export AWS_CONTAINER_CREDENTIALS_FULL_URI=http:\/\/127\.0\.0\.1:\d+\/[\w-]{22}\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=[\w-]{43}\n$/);
    expect(run.stderr).not.toMatch(/[\w-]{43}/);
  });

  it('--port already taken → PORT_IN_USE', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const run = await runFbroker(['serve', '--role', 'dev-readonly', '--no-login', '--port', String((blocker.address() as { port: number }).port)], { env: env() });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('fbroker: PORT_IN_USE:');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
