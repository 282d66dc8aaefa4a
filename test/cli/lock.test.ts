// The lock primitive across processes: ten processes started together enter the critical section one at a time
// and only the first "signs in".

import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLock } from '../../cli/src/lock.ts';
import { tempCache } from '../support/fbroker.ts';

const WORKER = resolve(import.meta.dirname, 'lock-worker.ts');

describe('withLock', () => {
  it('ten processes: one critical section at a time, one sign-in', async () => {
    const { dir, remove } = await tempCache();
    try {
      const exits = Array.from({ length: 10 }, (_, i) =>
        new Promise<number | null>((done) => spawn(process.execPath, [WORKER, dir, String(i)], { stdio: 'inherit' }).on('exit', done)),
      );
      await new Promise((r) => setTimeout(r, 300));
      await writeFile(join(dir, 'go'), '');
      expect(await Promise.all(exits)).toEqual(Array(10).fill(0));
      const lines = (await readFile(join(dir, 'log'), 'utf8')).trim().split('\n');
      expect(lines.filter((l) => l.startsWith('sign-in'))).toHaveLength(1);
      // enter/leave strictly alternate, each leave by the process that entered
      const sections = lines.filter((l) => !l.startsWith('sign-in'));
      for (let i = 0; i < sections.length; i += 2) expect([sections[i], sections[i + 1]]).toEqual([`enter ${sections[i]!.split(' ')[1]}`, `leave ${sections[i]!.split(' ')[1]}`]);
      expect(sections).toHaveLength(20);
      expect((await readdir(dir)).filter((f) => f.endsWith('.lock'))).toEqual([]);
    } finally {
      await remove();
    }
  }, 60_000);

  it('a lock held too long → LOCK_TIMEOUT, and the holder is unaffected', async () => {
    const { dir, remove } = await tempCache();
    try {
      const file = join(dir, 'x');
      let release!: () => void;
      const held = withLock(file, 1000, () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 50));
      await expect(withLock(file, 300, async () => 'never')).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
      release();
      await held;
      expect(await withLock(file, 300, async () => 'after')).toBe('after');
    } finally {
      await remove();
    }
  });
});
