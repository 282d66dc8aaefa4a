// `fbroker credentials` as the AWS CLI runs it on every call: from process start to the JSON on stdout (the process
// exiting), next to `node -e 0` on the same Node — the floor no Node CLI can beat. On the pinned Node 24 and on the
// machine's own Node 20 when there is one. Warm cache: the credentials come from a seeded cache, offline. Cache miss:
// a session in the cache but no credentials, so one POST /token to `npm start` (spawned on free ports; signed in once
// over HTTP by tools/bench/fbroker-browser.ts) — the round trip, the broker's work and the offline STS included.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseBrokerUrl } from '../../cli/src/broker-url.ts';
import { brokerCache, deleteAllCredentials, prepareCache, saveCredentials } from '../../cli/src/cache.ts';
import { buildCli, type BuiltCli } from '../build/build-cli.ts';
import { startStackProcess } from '../local/stack-process.ts';
import { NODE } from './cold-start.ts';
import { summarise, type Summary } from './stats.ts';

const BROKER = 'http://127.0.0.1:9';

export interface FbrokerBench {
  readonly node: string;
  readonly nodeVersion: string;
  readonly floor: Summary;
  readonly warm: Summary;
  /** Cache miss: one POST /token to the local broker. */
  readonly miss: Summary;
  /** The floor of a cache miss: a Node process that makes one request with fetch (GET / of the same broker). */
  readonly fetchFloor: Summary;
  readonly bytes: number;
}

const SIGN_IN_BROWSER = resolve(import.meta.dirname, 'fbroker-browser.ts');

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

/** Milliseconds from spawn to exit; fails if the process does not succeed (or, for fbroker, prints no credentials). */
const timeProcess = (node: string, args: readonly string[], env: NodeJS.ProcessEnv, credentials = args[0]?.endsWith('.mjs') === true): Promise<number> =>
  new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0 || (credentials && !out.startsWith('{"Version":1'))) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolvePromise(ms);
    });
  });

/** The cache-miss samples per Node: a local broker, one sign-in, then each round drops the credentials and asks again. */
const benchMisses = async (built: BuiltCli, dir: string, nodes: readonly string[], rounds: number): Promise<Map<string, { miss: number[]; fetch: number[] }>> => {
  const stack = await startStackProcess();
  try {
    const root = resolve(dir, 'miss-cache');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, FBROKER_CACHE_DIR: root, BROWSER: `"${NODE}" "${SIGN_IN_BROWSER}"` };
    await promisify(execFile)(NODE, [built.file, 'login', '--broker', stack.url, '--provider', 'dev-oidc', '--timeout', '30'], { env }).catch((error: { stderr?: string }) => {
      throw new Error(`fbroker login against npm start failed:\n${error.stderr ?? String(error)}`);
    });
    const cache = brokerCache(root, parseBrokerUrl(stack.url));
    const args = [built.file, 'credentials', '--role', 'dev-readonly', '--no-login', '--broker', stack.url];
    const fetchOnce = ['--input-type=module', '-e', 'await (await fetch(process.argv.at(-1))).text()', `${stack.url}/`];
    const samples = new Map<string, { miss: number[]; fetch: number[] }>();
    for (const node of nodes) {
      const miss: number[] = [];
      const fetched: number[] = [];
      // The first exchange warms the broker's handler (its cold start is measured elsewhere).
      await deleteAllCredentials(cache);
      await timeProcess(node, args, env);
      for (let i = 0; i < rounds; i += 1) {
        fetched.push(await timeProcess(node, fetchOnce, env));
        await deleteAllCredentials(cache);
        miss.push(await timeProcess(node, args, env));
      }
      samples.set(node, { miss, fetch: fetched });
    }
    return samples;
  } finally {
    await stack.stop();
  }
};

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
  const misses = await benchMisses(built, dir, nodes, rounds);
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
    results.push({
      node,
      nodeVersion: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
      floor: summarise(floor),
      warm: summarise(warm),
      miss: summarise(misses.get(node)?.miss ?? []),
      fetchFloor: summarise(misses.get(node)?.fetch ?? []),
      bytes: built.bytes,
    });
  }
  return results;
};
