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
    for (const [folder, files] of Object.entries({ both: ['aws', 'aws-full'], full: ['aws-full'], none: [] })) {
      await mkdir(join(dir, folder));
      for (const f of files) await writeFile(join(dir, folder, `${f}.mjs`), `export const stsAdapterOf = ${JSON.stringify(f)};`);
      await writeFile(join(dir, folder, 'config.mjs'), 'export const validateConfigText = 1;');
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads aws-full when the config needs SSM or KMS, else aws: one of them, never both', async () => {
    expect(await modulesBeside(entry('both')).awsClients(false)).toMatchObject({ stsAdapterOf: 'aws' });
    expect(await modulesBeside(entry('both')).awsClients(true)).toMatchObject({ stsAdapterOf: 'aws-full' });
  });

  it('loads nothing for a function without AWS clients, and aws-full only when it is needed', async () => {
    expect(await modulesBeside(entry('none')).awsClients(true)).toEqual({});
    expect(await modulesBeside(entry('full')).awsClients(false)).toEqual({});
    expect(await modulesBeside(entry('full')).awsClients(true)).toMatchObject({ stsAdapterOf: 'aws-full' });
  });

  it('gives the validator bundle bytes in a bundle, none when run from source', async () => {
    expect((await modulesBeside(entry('both')).validatorBytes())?.toString()).toBe('export const validateConfigText = 1;');
    expect(await modulesBeside(pathToFileURL(join(dir, 'both', 'index.ts')).href).validatorBytes()).toBeUndefined();
  });

  it('refuses an entry that is not an index module', () => {
    expect(() => modulesBeside(pathToFileURL(join(dir, 'both', 'handler.mjs')).href)).toThrow(/not an index module/);
  });
});
