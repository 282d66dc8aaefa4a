// Running fbroker as the AWS CLI runs a credential_process: its own process, no TTY, stdout and stderr captured.
// From its TypeScript source on the pinned Node (what the flow tests need), or a built file on any Node.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FBROKER_SOURCE = resolve(ROOT, 'cli/src/fbroker.ts');
/** `$BROWSER` that follows the sign-in redirects back to fbroker's loopback listener. */
export const FOLLOWING_BROWSER = `"${process.execPath}" "${resolve(import.meta.dirname, 'cli-browser.ts')}"`;

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Node binary (default: the pinned Node running the tests). */
  readonly node?: string;
  /** Script (default: the TypeScript source). */
  readonly entry?: string;
  readonly timeoutMs?: number;
  /** Called with the child once started (to send it a signal). */
  readonly onStart?: (child: ChildProcess, stderr: () => string) => void;
}

/** Only what fbroker should see of the environment: no AWS variables or proxies of the machine running the tests. */
export const cleanEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...env });

export const runFbroker = (args: readonly string[], options: RunOptions = {}): Promise<Run> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [options.entry ?? FBROKER_SOURCE, ...args], { env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    options.onStart?.(child, () => stderr);
  });

/** A fresh cache folder (0700, as mkdtemp makes it) and its removal. */
export const tempCache = async (): Promise<{ dir: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'fbroker-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
};

/** The first executable called `name` on PATH (outside node_modules), then in `extraDirs`, whose `--version` matches. */
export const findOnPath = async (name: string, version: RegExp, extraDirs: string[] = []): Promise<string | undefined> => {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    const file = join(dir, name);
    if (dir === '' || dir.includes('node_modules') || !existsSync(file)) continue;
    const out = await promisify(execFile)(file, ['--version']).then((r) => `${r.stdout}${r.stderr}`, () => '');
    if (version.test(out)) return file;
  }
  return undefined;
};

/** The machine's own Node 20: the oldest Node the built file supports, the one it must be tested on. */
export const findNode20 = async (): Promise<string> => {
  const found = await findOnPath('node', /^v20\./, ['/usr/bin', '/usr/local/bin']);
  if (found === undefined) throw new Error('no Node 20 on PATH outside node_modules: the built file must be tested on the oldest Node it supports');
  return found;
};
