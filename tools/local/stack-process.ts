// Starts `npm start`'s entry point as its own process (as a user would), on free ports, and stops it by its pid. For
// the end-to-end tests and the bench, which need the whole broker beside them, not inside them.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { stopChild } from '../lib/child-process.ts';

export interface RunningStack {
  readonly url: string;
  readonly issuer?: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

const START = resolve(import.meta.dirname, 'start.ts');

export const startStackProcess = async (env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<RunningStack> => {
  const child: ChildProcess = spawn(process.execPath, [START], {
    env: { ...process.env, PORT: '0', DEV_IDP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = (): Promise<void> => stopChild(child);
  const started = Date.now();
  while (!/running on (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /running on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  const issuer = /dev IdP\s+(http:\/\/\S+)/.exec(output)?.[1];
  return { url, issuer, output: () => output, stop };
};
