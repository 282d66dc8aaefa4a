import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modulesBeside } from '../../../shared/compose/modules.ts';

describe('modulesBeside', () => {
  let dir: string;
  const entry = (folder: string) => pathToFileURL(join(dir, folder, 'index.mjs')).href;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modules-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'both'));
    await writeFile(join(dir, 'both', 'config.mjs'), 'export const validateConfigText = 1;');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the validator bundle bytes in a bundle, none when run from source', async () => {
    expect((await modulesBeside(entry('both')).validatorBytes())?.toString()).toBe('export const validateConfigText = 1;');
    expect(await modulesBeside(pathToFileURL(join(dir, 'both', 'index.ts')).href).validatorBytes()).toBeUndefined();
  });

  it('refuses an entry that is not an index module', () => {
    expect(() => modulesBeside(pathToFileURL(join(dir, 'both', 'handler.mjs')).href)).toThrow(/not an index module/);
  });
});
