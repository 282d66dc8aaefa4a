// The shipped credential_process script against `npm start`, consumed by the AWS SDK's own credential_process
// provider — the path a CLI user takes.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackProcess, type RunningStack } from '../../tools/local/stack-process.ts';

const SCRIPT = resolve(import.meta.dirname, '../../tools/credential-process.ts');
let stack: RunningStack;
let dir: string;

beforeAll(async () => {
  stack = await startStackProcess();
  dir = await mkdtemp(join(tmpdir(), 'broker-cp-'));
  const line = (user: string, role: string) => `credential_process = "${process.execPath}" "${SCRIPT}" --broker ${stack.url} --issuer ${stack.issuer} --user ${user} --role ${role}`;
  await writeFile(
    join(dir, 'config'),
    [`[profile alice]`, line('alice', 'dev-readonly'), '', `[profile bob]`, line('bob', 'dev-readonly'), ''].join('\n'),
  );
  await writeFile(join(dir, 'credentials'), '');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm start + credential_process', () => {
  it('answers GET / with 200 once ready', async () => {
    expect((await fetch(`${stack.url}/`)).status).toBe(200);
  });

  it('gives alice credentials the AWS SDK accepts', async () => {
    const credentials = await fromProcess({ profile: 'alice', configFilepath: join(dir, 'config'), filepath: join(dir, 'credentials') })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.secretAccessKey).toMatch(/^local-fake-secret-/);
    expect(credentials.sessionToken).toMatch(/^FAKE-LOCAL-SESSION-TOKEN-/);
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now() + 900_000);
  });

  it('fails for bob (no MFA), and the SDK reports the failure', async () => {
    await expect(fromProcess({ profile: 'bob', configFilepath: join(dir, 'config'), filepath: join(dir, 'credentials') })()).rejects.toThrow();
  });
});
