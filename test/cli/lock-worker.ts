// One of the processes of lock.test.ts: waits for the start signal, then does what `fbroker credentials` does —
// under the lock, "sign in" only when no other process has (a marker file), and logs enter/leave.

import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../../cli/src/lock.ts';

const [dir = '', id = ''] = process.argv.slice(2);
const log = (line: string): void => appendFileSync(join(dir, 'log'), `${line} ${id}\n`);
while (!existsSync(join(dir, 'go'))) await new Promise((r) => setTimeout(r, 5));
await withLock(join(dir, 'session.json'), 30_000, async () => {
  log('enter');
  if (!existsSync(join(dir, 'signed-in'))) {
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(dir, 'signed-in'), id);
    log('sign-in');
  }
  await new Promise((r) => setTimeout(r, 20));
  log('leave');
});
