// The built single file (`npm run build:cli`) as users get it: run by the machine's own Node 20 and by the pinned
// Node 24, consumed by the AWS SDK's fromProcess and by the AWS CLI v2, and installed from `npm pack` with
// `npm install -g`. Everything offline: credentials come from a seeded cache.

import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBuiltin } from 'node:module';
import { promisify } from 'node:util';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBrokerUrl } from '../../cli/src/broker-url.ts';
import { brokerCache, prepareCache, saveCredentials } from '../../cli/src/cache.ts';
import { buildCli } from '../../tools/build/build-cli.ts';
import { findNode20, findOnPath, ROOT, runFbroker, tempCache } from '../support/fbroker.ts';

const run = promisify(execFile);
const BROKER = 'http://127.0.0.1:9';
const EXPIRATION = new Date(Date.now() + 3600_000).toISOString();

let work: Awaited<ReturnType<typeof tempCache>>;
let file: string;
let imports: readonly string[];
let node20: string;
const cacheDir = () => join(work.dir, 'cache');

beforeAll(async () => {
  work = await tempCache();
  ({ file, imports } = await buildCli(join(work.dir, 'dist', 'fbroker.mjs')));
  node20 = await findNode20();
  const broker = parseBrokerUrl(BROKER);
  const cache = brokerCache(cacheDir(), broker);
  await prepareCache(cache);
  await saveCredentials(cache, { version: 1, broker: broker.url, role: 'dev-readonly', duration: null, sessionId: 'ses-1', credentials: { AccessKeyId: 'ASIABUILT0000001', SecretAccessKey: 'built-secret', SessionToken: 'built-token', Expiration: EXPIRATION } });
}, 60_000);
afterAll(() => work?.remove());

describe('the built file', () => {
  it('is one executable ES module with a node shebang, importing nothing but Node builtins', async () => {
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(file)).mode & 0o111).not.toBe(0);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !isBuiltin(i))).toEqual([]);
  });

  const NODES = ["Node 20 (the machine's)", 'Node 24 (pinned)'] as const;
  const nodeOf = (name: (typeof NODES)[number]): string => (name === NODES[0] ? node20 : process.execPath);

  it.each(NODES)('runs on %s: --help, --version, a usage error, --no-login with an empty cache', async (name) => {
    const node = nodeOf(name);
    const i = NODES.indexOf(name);
    const fb = (args: string[], env: NodeJS.ProcessEnv = {}) => runFbroker(args, { node, entry: file, env: { FBROKER_CACHE_DIR: join(work.dir, `empty-${i}`), ...env } });
    const help = await fb(['--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('credential_process = fbroker credentials') });
    const version = await fb(['--version']);
    expect(version.stdout).toMatch(new RegExp(`^fbroker \\d+\\.\\d+\\.\\d+ \\(Node v${i === 0 ? 20 : 24}\\.`));
    expect((await fb(['credentials'])).code).toBe(2);
    const empty = await fb(['credentials', '--role', 'dev-readonly', '--no-login', '--broker', BROKER]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^fbroker: NOT_SIGNED_IN: no usable session for http:\/\/127\.0\.0\.1:9: run `fbroker login/);
    expect(empty.stdout).toBe('');
  });

  it.each(NODES)("serves the cache to the AWS SDK's fromProcess, on %s", async (name) => {
    const node = nodeOf(name);
    const i = NODES.indexOf(name);
    const config = join(work.dir, `config-${i}`);
    await writeFile(config, `[profile broker]\ncredential_process = "${node}" "${file}" credentials --broker ${BROKER} --role dev-readonly --no-login\n`);
    process.env.FBROKER_CACHE_DIR = cacheDir();
    try {
      const credentials = await fromProcess({ profile: 'broker', configFilepath: config, filepath: join(work.dir, 'no-credentials') })();
      expect(credentials).toMatchObject({ accessKeyId: 'ASIABUILT0000001', secretAccessKey: 'built-secret', sessionToken: 'built-token' });
      expect(credentials.expiration?.toISOString()).toBe(EXPIRATION);
    } finally {
      delete process.env.FBROKER_CACHE_DIR;
    }
  });

  it('serves the cache to the AWS CLI v2 (aws configure export-credentials)', async () => {
    const aws = await findOnPath('aws', /^aws-cli\/2\./, ['/usr/bin']);
    if (aws === undefined) throw new Error("no AWS CLI v2: install Debian's awscli (.ci/run does)");
    const config = join(work.dir, 'config-aws');
    await writeFile(config, `[profile broker]\ncredential_process = "${node20}" "${file}" credentials --broker ${BROKER} --role dev-readonly --no-login\n`);
    const { stdout } = await run(aws, ['configure', 'export-credentials', '--profile', 'broker', '--format', 'process'], {
      env: { PATH: process.env.PATH, HOME: work.dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(work.dir, 'no-credentials'), FBROKER_CACHE_DIR: cacheDir() },
    });
    expect(JSON.parse(stdout)).toMatchObject({ Version: 1, AccessKeyId: 'ASIABUILT0000001', SecretAccessKey: 'built-secret', SessionToken: 'built-token' });
  });
});

describe('npm pack → npm install -g', () => {
  it('installs a working `fbroker` command from the tarball, offline', async () => {
    const pkg = join(work.dir, 'package');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    await copyFile(join(ROOT, 'cli/package.json'), join(pkg, 'package.json'));
    await copyFile(file, join(pkg, 'dist/fbroker.mjs'));
    const npmEnv = { ...process.env, npm_config_cache: join(work.dir, 'npm-cache'), npm_config_update_notifier: 'false' };
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--pack-destination', work.dir], { cwd: pkg, env: npmEnv })).stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(packed[0]!.files.map((f) => f.path).sort()).toEqual(['dist/fbroker.mjs', 'package.json']);
    const prefix = join(work.dir, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(work.dir, packed[0]!.filename)], { env: npmEnv });
    const installed = await runFbroker(['--version'], { node: node20, entry: join(prefix, 'bin', 'fbroker') });
    expect(installed.stdout).toMatch(/^fbroker \d+\.\d+\.\d+ \(Node v20\./);
    const viaShebang = await run(join(prefix, 'bin', 'fbroker'), ['--help']);
    expect(viaShebang.stdout).toContain('Usage: fbroker <command>');
  }, 60_000);
});
