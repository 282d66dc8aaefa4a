// The build as `sam build` runs it: the esbuild arguments come from template.yaml, and a built bundle is a
// self-contained ES module that a fresh Node process imports and finds `handler` in.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, esbuildFunctions, samEsbuildArgs, unresolvedImports, type BuiltFunction } from '../../../tools/build/build.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

describe('samEsbuildArgs', () => {
  it('passes the BuildProperties as sam build does: entry, defaults, then booleans, single and multi values', () => {
    const args = samEsbuildArgs(
      { Format: 'esm', Minify: true, Sourcemap: true, Target: 'es2024', Platform: 'node', MainFields: 'module,main', OutExtension: ['.js=.mjs'], Banner: ['js=// hi'], EntryPoints: ['functions/token/index.ts'] },
      '/out',
    );
    expect(args).toEqual([
      'functions/token/index.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--minify',
      '--sourcemap',
      '--target=es2024',
      '--format=esm',
      '--main-fields=module,main',
      '--out-extension:.js=.mjs',
      '--banner:js=// hi',
    ]);
  });

  it('adds the defaults SAM adds when a property is absent', () => {
    expect(samEsbuildArgs({ EntryPoints: ['functions/web/index.ts'] }, '/out')).toEqual(['functions/web/index.ts', '--bundle', '--platform=node', '--outdir=/out', '--target=es2020', '--format=cjs', '--minify']);
  });

  it('refuses a property sam build would silently drop, and a missing entry point', () => {
    expect(() => samEsbuildArgs({ EntryPoints: ['functions/web/index.ts'], Splitting: true }, '/out')).toThrow(/Splitting/);
    expect(() => samEsbuildArgs({ EntryPoints: ['functions/nope/index.ts'] }, '/out')).toThrow(/does not exist/);
  });

  it('finds every function of template.yaml built with esbuild', () => {
    expect(esbuildFunctions().map((fn) => fn.logicalId)).toEqual(expect.arrayContaining(['TokenFunction', 'SamlFunction']));
  });
});

describe('buildFunction', () => {
  let dir: string;
  let built: BuiltFunction;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-build-'));
    const token = esbuildFunctions().find((fn) => fn.logicalId === 'TokenFunction')!;
    built = await buildFunction(token, { outDir: dir });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes <LogicalId>/index.mjs that needs nothing but Node builtins at run time', () => {
    expect(built.file).toBe(join(dir, 'TokenFunction', 'index.mjs'));
    expect(unresolvedImports(built)).toEqual([]);
  });

  it('is an ES module that a fresh Node process imports, exporting a handler function', async () => {
    const script = 'const m = await import(process.argv[1]); console.log(JSON.stringify(Object.keys(m)), typeof m.handler);';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(built.file).href], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BROKER_CONFIG: resolve(ROOT, 'config/broker.local.yaml'),
        BROKER_SEALING_SECRET: 'build-test-sealing-secret-0123456789abcdefghij',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    expect(stdout.trim()).toBe('["handler"] function');
  });
});
