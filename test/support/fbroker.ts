// Running fbroker as the AWS CLI runs a credential_process: its own process, no TTY, stdout and stderr captured.
// From its TypeScript source on the pinned Node (what the flow tests need), or a built file on any Node.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
