// `fbroker credentials` with a warm cache, as the AWS CLI runs it on every call: from process start to the JSON
// on stdout (the process exiting), next to `node -e 0` on the same Node — the floor no Node CLI can beat. On the
// pinned Node 24 and on the machine's own Node 20 when there is one. Offline: the credentials come from a seeded
// cache. (The cache-miss row needs a broker that signs in: it comes with the end-to-end tests.)

import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { parseBrokerUrl } from '../../cli/src/broker-url.ts';
import { brokerCache, prepareCache, saveCredentials } from '../../cli/src/cache.ts';
import { buildCli } from '../build/build-cli.ts';
import { NODE } from './cold-start.ts';
import { summarise, type Summary } from './stats.ts';

const BROKER = 'http://127.0.0.1:9';

export interface FbrokerBench {
  readonly node: string;
  readonly nodeVersion: string;
  readonly floor: Summary;
  readonly warm: Summary;
  readonly bytes: number;
}

/** The machine's own Node 20 (on PATH, outside node_modules), if any. */
const machineNode20 = (): string | undefined => {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    const file = join(dir, 'node');
    if (dir === '' || dir.includes('node_modules') || !existsSync(file)) continue;
    try {
      if (execFileSync(file, ['--version'], { encoding: 'utf8' }).startsWith('v20.')) return file;
    } catch {
      // not runnable: try the next one
    }
  }
  return undefined;
};

/** Milliseconds from spawn to exit; fails if the process does not succeed. */
const timeProcess = (node: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0 || (args.length > 2 && !out.startsWith('{"Version":1'))) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolvePromise(ms);
    });
  });

export const benchFbroker = async (work: string, rounds: number): Promise<FbrokerBench[]> => {
  const dir = resolve(work, 'fbroker');
  await rm(dir, { recursive: true, force: true });
  const built = await buildCli(resolve(dir, 'fbroker.mjs'));
  const broker = parseBrokerUrl(BROKER);
  const cache = brokerCache(resolve(dir, 'cache'), broker);
  await prepareCache(cache);
  await saveCredentials(cache, { version: 1, broker: broker.url, role: 'dev-readonly', duration: null, sessionId: 'bench', credentials: { AccessKeyId: 'ASIABENCH', SecretAccessKey: 'bench', SessionToken: 'bench', Expiration: new Date(Date.now() + 6 * 3600_000).toISOString() } });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, FBROKER_CACHE_DIR: cache.root };
  const nodes = [NODE, machineNode20()].filter((n): n is string => n !== undefined);
  const results: FbrokerBench[] = [];
  for (const node of nodes) {
    const floor: number[] = [];
    const warm: number[] = [];
    await timeProcess(node, [built.file, 'credentials', '--role', 'dev-readonly', '--no-login', '--broker', BROKER], env);
    // Alternate the two so that a noisy moment on the machine hits both alike.
    for (let i = 0; i < rounds; i += 1) {
      floor.push(await timeProcess(node, ['-e', '0'], env));
      warm.push(await timeProcess(node, [built.file, 'credentials', '--role', 'dev-readonly', '--no-login', '--broker', BROKER], env));
    }
    results.push({ node, nodeVersion: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), floor: summarise(floor), warm: summarise(warm), bytes: built.bytes });
  }
  return results;
};
