// A pre-validated config stands in for validation only for the very config bytes and validator bytes it was made
// from. Each row starts from a document that is used, changes one thing, and must fall back to validating the file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVALIDATED_FORMAT, prevalidatedDocument, prevalidatedFileOf, readPrevalidated } from '../../../shared/config/prevalidated.ts';
import { validated } from '../../../shared/config/validate.ts';
import { baseConfig } from '../../support/config.ts';

const CONFIG = Buffer.from('version: 1\n# the config file as deployed\n');
const VALIDATOR = Buffer.from('export const validateConfigText = () => {}; // the validator bundle as deployed');
const result = validated(baseConfig(), '/virtual/broker.yaml');

describe('readPrevalidated', () => {
  let dir: string;
  let file: string;
  const write = (document: unknown) => writeFile(prevalidatedFileOf(file), typeof document === 'string' ? document : JSON.stringify(document));
  const valid = () => JSON.parse(JSON.stringify(prevalidatedDocument(file, CONFIG, [Buffer.from('another function’s validator'), VALIDATOR], result))) as Record<string, any>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prevalidated-'));
    file = join(dir, 'broker.yaml');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('uses the recorded result for the same config and validator bytes', async () => {
    await write(valid());
    expect(await readPrevalidated(file, CONFIG, VALIDATOR)).toEqual({ use: JSON.parse(JSON.stringify({ config: result.config, warnings: result.warnings })) });
  });

  it('finds nothing when there is no document beside the config', async () => {
    await rm(prevalidatedFileOf(file), { force: true });
    expect(await readPrevalidated(file, CONFIG, VALIDATOR)).toEqual({});
  });

  it.each<[string, (d: Record<string, any>) => unknown, Buffer, Buffer]>([
    ['the config file changed', (d) => d, Buffer.concat([CONFIG, Buffer.from(' ')]), VALIDATOR],
    ['another validator bundle (another build of the broker)', (d) => d, CONFIG, Buffer.concat([VALIDATOR, Buffer.from(' ')])],
    ['another format', (d) => ({ ...d, format: `${PREVALIDATED_FORMAT}x` }), CONFIG, VALIDATOR],
    ['no source hash', (d) => ({ ...d, source: undefined }), CONFIG, VALIDATOR],
    ['no list of validators', (d) => ({ ...d, validators: VALIDATOR.toString('hex') }), CONFIG, VALIDATOR],
    ['no config', (d) => ({ ...d, config: undefined }), CONFIG, VALIDATOR],
    ['no warnings', (d) => ({ ...d, warnings: undefined }), CONFIG, VALIDATOR],
    ['not JSON', (d) => JSON.stringify(d).slice(0, -1), CONFIG, VALIDATOR],
  ])('is not used when %s, and says why', async (_name, mutate, config, validator) => {
    await write(mutate(valid()));
    const read = await readPrevalidated(file, config, validator);
    expect(read.use).toBeUndefined();
    expect(read.reason).toEqual(expect.any(String));
  });
});
