// Stopping a process a tool started, by its pid: SIGTERM, then SIGKILL if it has not exited within `graceMs`.

import type { ChildProcess } from 'node:child_process';

export const stopChild = async (child: ChildProcess, graceMs = 5000): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const { pid } = child;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
};
