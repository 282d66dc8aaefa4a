// Cross-process locks (proper-lockfile: an atomic mkdir, kept fresh while held, taken over when stale) so that
// the AWS CLI and SDKs running ten `fbroker credentials` at once cause one sign-in and one exchange per role.

import { CliError } from './errors.ts';

const POLL_MS = 100;

/** Runs `critical` while holding the lock `<path>.lock`; waits up to `waitMs` for another process to release it. */
export const withLock = async <T>(path: string, waitMs: number, critical: () => Promise<T>): Promise<T> => {
  let release: () => Promise<void>;
  // Loaded when a lock is needed (not on the cached path): it patches fs, which takes time at start-up.
  const { default: lockfile } = await import('proper-lockfile');
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      lockfilePath: `${path}.lock`,
      // A holder refreshes the lock every 5 s; one not refreshed for 20 s belongs to a process that was killed.
      stale: 20_000,
      update: 5_000,
      retries: { retries: Math.ceil(waitMs / POLL_MS), factor: 1, minTimeout: POLL_MS, maxTimeout: POLL_MS },
      // The default throws from a timer (a crash). Losing the lock at worst allows a second sign-in: carry on.
      onCompromised: () => undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new CliError('LOCK_TIMEOUT', `another fbroker held ${path}.lock for more than ${Math.round(waitMs / 1000)} s (a sign-in still waiting?)`);
    }
    throw error;
  }
  try {
    return await critical();
  } finally {
    await release().catch(() => undefined);
  }
};
