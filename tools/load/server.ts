// The broker under load: `npm start`'s entry point (tools/local/start.ts) as a child process on free ports, its URL
// read from "running on <url>", its memory read from /proc/<pid>/status (VmRSS now, VmHWM the peak) and, with the
// inspector on loopback, from inside after a full GC; stopped by its pid — SIGTERM, then SIGKILL after 5 s.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopChild } from '../lib/child-process.ts';

const START = resolve(import.meta.dirname, '../local/start.ts');

export interface BrokerProcess {
  readonly url: string;
  readonly pid: number;
  /** The inspector's WebSocket URL, when started with `inspect`. */
  readonly inspectorUrl?: string;
  /** Resident set size now and its high-water mark, in bytes (Linux /proc). */
  memory(): { rss: number; peak: number } | undefined;
  stop(): Promise<void>;
}

export const readMemory = (pid: number): { rss: number; peak: number } | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const rss = kb('VmRSS');
    return Number.isFinite(rss) ? { rss, peak: kb('VmHWM') } : undefined;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
};

export const startBroker = async (env: NodeJS.ProcessEnv, options: { inspect?: boolean; timeoutMs?: number } = {}): Promise<BrokerProcess> => {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child: ChildProcess = spawn(process.execPath, [...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), START], {
    env: { ...env, PORT: '0', DEV_IDP_PORT: '0', DEV_SAML_IDP_PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  // The broker logs one audit line per request: read and drop them (a full pipe would stall the server).
  child.stdout?.on('data', (d: Buffer) => {
    if (output.length < 64 * 1024) output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (errors.length < 64 * 1024) errors += d.toString();
  });
  const stop = (): Promise<void> => stopChild(child);
  const started = Date.now();
  let url: string | undefined;
  while (!(url = /running on (http:\/\/\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null) throw new Error(`the broker exited during start-up:\n${errors}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`the broker did not start within ${timeoutMs} ms:\n${errors}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid as number;
  const inspectorUrl = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(errors)?.[1];
  return { url, pid, ...(inspectorUrl ? { inspectorUrl } : {}), memory: () => readMemory(pid), stop };
};
