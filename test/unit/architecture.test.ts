// The layers of docs/architecture.md, enforced: every import of a module in shared/ and functions/ points down (or
// sideways within its layer), never up. A new import that breaks the direction fails here with the file and the edge.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** What each part of the code may import (besides itself). Lower layers never import higher ones. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  functions: ['compose', 'http', 'errors.ts'],
  compose: ['http', 'flows', 'identity', 'audit', 'saml', 'oidc', 'oauth', 'issuance', 'stores', 'rules', 'config', 'jose', 'json', 'errors.ts', 'patterns.ts', 'request.ts', 'time.ts'],
  http: ['flows', 'identity', 'audit', 'issuance', 'stores', 'rules', 'config', 'json', 'errors.ts', 'patterns.ts', 'request.ts', 'time.ts'],
  flows: ['identity', 'audit', 'saml', 'oidc', 'oauth', 'issuance', 'stores', 'rules', 'config', 'json', 'errors.ts', 'patterns.ts', 'request.ts', 'time.ts'],
  audit: ['identity', 'issuance', 'rules', 'request.ts', 'time.ts'],
  identity: ['saml', 'oidc', 'rules', 'config', 'json', 'errors.ts'],
  saml: ['stores', 'config', 'errors.ts', 'patterns.ts'],
  oidc: ['stores', 'config', 'jose', 'json', 'errors.ts', 'patterns.ts'],
  oauth: ['jose', 'errors.ts'],
  issuance: ['rules', 'errors.ts'],
  stores: ['errors.ts'],
  config: ['rules', 'jose', 'json', 'errors.ts', 'patterns.ts'],
  rules: ['patterns.ts'],
  jose: ['json', 'errors.ts'],
  json: [],
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));

/** The layer of a file: its folder under shared/ (or a top-level shared file's name), or `functions`. */
const layerOf = (file: string): string => {
  const rel = relative(ROOT, file).split('/');
  if (rel[0] === 'functions') return 'functions';
  return rel.length === 2 ? (rel[1] ?? '') : (rel[1] ?? '');
};

const IMPORT = /^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm;

const edges = (): Array<{ from: string; to: string; file: string }> =>
  [...filesUnder(join(ROOT, 'shared')), ...filesUnder(join(ROOT, 'functions'))].flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(IMPORT)].map((m) => ({ from: layerOf(file), to: layerOf(resolve(dirname(file), m[1] ?? m[2] ?? '')), file: relative(ROOT, file) }));
  });

describe('the layers (docs/architecture.md)', () => {
  it('every import points down the layers', () => {
    const wrong = edges().filter(({ from, to }) => from !== to && !(MAY_IMPORT[from] ?? []).includes(to));
    expect(wrong.map((e) => `${e.file}: ${e.from} → ${e.to}`)).toEqual([]);
  });

  it('protocol code, issuance and the rules import nothing from the flows or the HTTP layer', () => {
    const protocol = edges().filter(({ from }) => ['saml', 'oidc', 'oauth', 'issuance', 'rules', 'stores', 'config'].includes(from));
    expect(protocol.filter(({ to }) => to === 'flows' || to === 'http' || to === 'compose')).toEqual([]);
  });

  it('no file in functions/ imports another function', () => {
    const across = [...filesUnder(join(ROOT, 'functions'))].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] ?? m[2] ?? '')).filter((target) => relative(ROOT, target).startsWith('functions/') && dirname(target) !== dirname(file)),
    );
    expect(across).toEqual([]);
  });

  it('knows every part of shared/ (a new folder gets its place in the table)', () => {
    const parts = new Set(edges().map((e) => e.from));
    for (const part of parts) expect(Object.keys(MAY_IMPORT), `shared/${part} has no place in MAY_IMPORT`).toContain(part);
  });
});
