import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../../tools/docs/errors.ts';

describe('docs/errors.md', () => {
  it('lists every error code with its status (npm run docs:errors regenerates it)', () => {
    const text = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    expect(text).toContain(errorTable());
  });
});
