// `npm run build [-- <LogicalId> …] [--out <dir>]`: one bundle per function, made the way `sam build` makes it.
// For `BuildMethod: esbuild`, SAM (aws-lambda-builders' nodejs_npm_esbuild workflow) runs the esbuild CLI with
// arguments derived from the function's Metadata.BuildProperties; this tool derives the same arguments from the
// same template.yaml (read with tools/lib/template.ts) and runs the same esbuild binary, so the bundle is the one
// SAM would deploy. Output: <out>/<LogicalId>/index.mjs (+ .map), by default .aws-sam/build/ (gitignored).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readTemplate, type Template } from '../lib/template.ts';
import { configFilesIn, prevalidateConfig } from './prevalidate.ts';

const run = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '../..');
const ESBUILD = resolve(ROOT, 'node_modules/.bin/esbuild');

/** Metadata.BuildProperties as written in template.yaml (PascalCase, as SAM reads them). */
export type BuildProperties = Readonly<Record<string, unknown>>;

export interface EsbuildFunction {
  readonly logicalId: string;
  readonly properties: BuildProperties;
}

// What aws-lambda-builders passes to esbuild, by kind (esbuild.py: SUPPORTED_ESBUILD_APIS_*), with SAM CLI's
// PascalCase → snake_case → --kebab-case renaming. Anything else in BuildProperties is not passed by SAM.
const BOOLEAN_PROPS = ['Minify', 'Sourcemap'];
const SINGLE_VALUE_PROPS = ['Target', 'Format', 'MainFields', 'SourcesContent'];
const MULTI_VALUE_PROPS = ['External', 'Loader', 'OutExtension', 'Banner'];
/** Properties SAM ignores; accepted here only with the value SAM uses anyway. */
const IMPLIED_PROPS: Readonly<Record<string, unknown>> = { Platform: 'node' };

const flag = (prop: string): string => `--${prop.replace(/(?<=[a-z])([A-Z])/g, '-$1').toLowerCase()}`;

/** The esbuild functions of the template, in template order. */
export const esbuildFunctions = (template: Template = readTemplate()): EsbuildFunction[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildMethod === 'esbuild')
    .map(([logicalId, r]) => ({ logicalId, properties: (r.Metadata?.BuildProperties ?? {}) as BuildProperties }));

/**
 * The esbuild CLI arguments `sam build` uses for these properties, in its order: entry points, then
 * `--bundle --platform=node --outdir=…` and the defaults SAM adds (target es2020, format cjs, minify), then the
 * boolean, single-value and multi-value properties. Throws on a property SAM would not pass on.
 */
export const samEsbuildArgs = (properties: BuildProperties, outdir: string): string[] => {
  const known = new Set([...BOOLEAN_PROPS, ...SINGLE_VALUE_PROPS, ...MULTI_VALUE_PROPS, 'EntryPoints']);
  for (const [prop, value] of Object.entries(properties)) {
    if (known.has(prop)) continue;
    if (Object.hasOwn(IMPLIED_PROPS, prop) && IMPLIED_PROPS[prop] === value) continue;
    throw new Error(`BuildProperties.${prop} is not passed to esbuild by sam build`);
  }
  const entryPoints = properties.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) throw new Error('BuildProperties.EntryPoints must be a non-empty list');
  const args = entryPoints.map((entry) => {
    const path = String(entry);
    if (!existsSync(resolve(ROOT, path))) throw new Error(`entry point ${path} does not exist`);
    return path;
  });
  args.push('--bundle', '--platform=node', `--outdir=${outdir}`);
  if (!('Target' in properties)) args.push('--target=es2020');
  if (!('Format' in properties)) args.push('--format=cjs');
  if (!('Minify' in properties)) args.push('--minify');
  for (const prop of BOOLEAN_PROPS) if (properties[prop] === true) args.push(flag(prop));
  for (const prop of SINGLE_VALUE_PROPS) if (prop in properties) args.push(`${flag(prop)}=${String(properties[prop])}`);
  for (const prop of MULTI_VALUE_PROPS) {
    if (!(prop in properties)) continue;
    const values = properties[prop];
    if (!Array.isArray(values)) throw new Error(`BuildProperties.${prop} must be a list`);
    for (const value of values) args.push(`${flag(prop)}:${String(value)}`);
  }
  return args;
};

export interface BuiltFile {
  /** The entry point (as in BuildProperties.EntryPoints) this file was built from. */
  readonly entryPoint: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface RuntimeImport {
  readonly path: string;
  /** `import-statement` (linked before the handler runs) or `dynamic-import` (only when the code path runs). */
  readonly kind: string;
}

export interface BuiltFunction extends BuiltFile {
  readonly logicalId: string;
  /** The other entry points' files (EntryPoints after the first): modules the handler imports on demand. */
  readonly onDemand: readonly BuiltFile[];
  /** Modules the bundle still imports at run time, per kind (builtins, and the declared External packages). */
  readonly runtimeImports: readonly RuntimeImport[];
  /** BuildProperties.External: packages left out of the bundle on purpose. */
  readonly external: readonly string[];
  readonly metafile?: string;
}

export interface BuildOptions {
  /** Where <LogicalId>/index.mjs goes (default .aws-sam/build). */
  readonly outDir?: string;
  /** Also write esbuild's metafile (inputs and their bytes in the output) to this path. */
  readonly metafile?: string;
}

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string; external?: boolean }> }>;
}

const builtFile = async (entryPoint: string, file: string): Promise<BuiltFile> => {
  const bytes = await readFile(file);
  return { entryPoint, file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
};

/** Builds one function as sam build would; the two extra flags (log level, metafile) do not change the output. */
export const buildFunction = async (fn: EsbuildFunction, options: BuildOptions = {}): Promise<BuiltFunction> => {
  const outdir = resolve(options.outDir ?? resolve(ROOT, '.aws-sam/build'), fn.logicalId);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const metafile = options.metafile ?? join(outdir, '..', `.${fn.logicalId}.meta.json`);
  const args = [...samEsbuildArgs(fn.properties, outdir), '--log-level=warning', `--metafile=${metafile}`];
  const { stderr } = await run(ESBUILD, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  if (stderr.trim()) process.stderr.write(`${fn.logicalId}: ${stderr}`);
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as Metafile;
  if (options.metafile === undefined) await rm(metafile, { force: true });
  // The handler's file comes from the first entry point; the others are imported on demand by the handler.
  const entries = (fn.properties.EntryPoints as unknown[]).map(String);
  const outputs = Object.entries(meta.outputs).filter(([, o]) => o.entryPoint !== undefined);
  const [first, ...rest] = entries.map((entry) => {
    const found = outputs.find(([, o]) => o.entryPoint === entry);
    if (!found) throw new Error(`${fn.logicalId}: esbuild wrote no output for ${entry}`);
    return found;
  });
  if (!first) throw new Error(`${fn.logicalId}: esbuild wrote no entry-point output`);
  const imports = new Map<string, RuntimeImport>();
  for (const [, output] of [first, ...rest]) {
    for (const i of output.imports) if (i.external === true) imports.set(`${i.kind} ${i.path}`, { path: i.path, kind: i.kind });
  }
  const external = Array.isArray(fn.properties.External) ? fn.properties.External.map(String) : [];
  return {
    logicalId: fn.logicalId,
    ...(await builtFile(first[1].entryPoint!, resolve(ROOT, first[0]))),
    onDemand: await Promise.all(rest.map(([path, output]) => builtFile(output.entryPoint!, resolve(ROOT, path)))),
    runtimeImports: [...imports.values()].sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind)),
    external,
    ...(options.metafile === undefined ? {} : { metafile: options.metafile }),
  };
};

/**
 * Imports that a Lambda without node_modules cannot satisfy: anything but a Node builtin, except a package the
 * template declares External that the bundle reaches only through import() (the SDK's unused credential providers).
 */
export const unresolvedImports = (built: Pick<BuiltFunction, 'runtimeImports' | 'external'>): string[] =>
  [...new Set(built.runtimeImports.filter((i) => !isBuiltin(i.path) && !(i.kind === 'dynamic-import' && built.external.includes(i.path))).map((i) => i.path))].sort();

/** The functions' config validator bundles (the config.ts entry point of each: compose/modules.ts). */
export const validatorFilesOf = (built: readonly BuiltFunction[]): string[] => built.flatMap((b) => b.onDemand.filter((f) => f.entryPoint.endsWith('/config.ts')).map((f) => f.file));

/** Kilobytes of 1000 bytes (the stricter reading of a size target). */
export const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

const main = async (): Promise<number> => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const all = esbuildFunctions();
  const unknown = positionals.filter((id) => !all.some((fn) => fn.logicalId === id));
  if (unknown.length > 0) {
    console.error(`No esbuild function ${unknown.join(', ')} in template.yaml (known: ${all.map((fn) => fn.logicalId).join(', ')})`);
    return 2;
  }
  const chosen = positionals.length > 0 ? all.filter((fn) => positionals.includes(fn.logicalId)) : all;
  const outDir = resolve(values.out ?? resolve(ROOT, '.aws-sam/build'));
  const built = await Promise.all(chosen.map((fn) => buildFunction(fn, { outDir })));
  let failed = false;
  console.log(`${'function'.padEnd(18)} ${'minified'.padStart(10)} ${'gzipped'.padStart(10)}  file`);
  for (const b of built) {
    const missing = unresolvedImports(b);
    failed ||= missing.length > 0;
    console.log(`${b.logicalId.padEnd(18)} ${kb(b.bytes).padStart(10)} ${kb(b.gzipBytes).padStart(10)}  ${relative(ROOT, b.file)}${missing.length > 0 ? `  imports ${missing.join(', ')}!` : ''}`);
    for (const lazy of b.onDemand) console.log(`${'  + on demand'.padEnd(18)} ${kb(lazy.bytes).padStart(10)} ${kb(lazy.gzipBytes).padStart(10)}  ${relative(ROOT, lazy.file)}`);
  }
  // The config layer's files, validated once here by the validator the functions carry (docs/performance.md).
  for (const file of await configFilesIn(resolve(ROOT, 'config'))) {
    try {
      console.log(`pre-validated: ${relative(ROOT, await prevalidateConfig(file, validatorFilesOf(built)))}`);
    } catch (error) {
      failed = true;
      console.error(`${relative(ROOT, file)}: not pre-validated: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed ? 1 : 0;
};

if (import.meta.main) process.exitCode = await main();
