// The bench's bundles: every function as sam build makes it (tools/build), the cold-start references (a trivial
// handler and the jose + STS floor, with TokenFunction's BuildProperties), and the what-if builds of TokenFunction
// (SourcesContent: false; no SAML verifier). Also the split of each bundle's bytes by origin.

import { gzipSync } from 'node:zlib';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { buildFunction, esbuildFunctions, unresolvedImports, type BuildProperties, type BuiltFunction } from '../build/build.ts';
import { ROOT } from './events.ts';

const CATEGORIES: ReadonlyArray<readonly [string, RegExp]> = [
  ['AWS SDK', /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/|tslib\/|fast-xml-parser|strnum|bowser|uuid|mnemonist|obliterator)/],
  ['SAML / XML', /node_modules\/(samlify|xml-crypto|xpath|@xmldom|@authenio|node-rsa|xml-escape|xml\/|camelcase|pako|asn1|safer-buffer|node-forge|escape-html)/],
  ['yaml', /node_modules\/yaml\//],
  ['jose, openid-client', /node_modules\/(jose|openid-client|oauth4webapi)\//],
  ['zod', /node_modules\/zod\//],
  ['Powertools, middy', /node_modules\/(@aws-lambda-powertools|@middy)\//],
  ['broker code', /^(shared|functions|tools)\//],
];

interface MetafileOutputs {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Bytes of the minified bundle by origin (esbuild's metafile: bytes each input contributes to the output). */
export const breakdownOf = async (metafile: string): Promise<Record<string, number>> => {
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as MetafileOutputs;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
  const out: Record<string, number> = {};
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const category = CATEGORIES.find(([, re]) => re.test(path))?.[0] ?? 'other';
    out[category] = (out[category] ?? 0) + bytesInOutput;
  }
  return out;
};

export interface Builds {
  readonly functions: BuiltFunction[];
  readonly trivial: BuiltFunction;
  /** jose + the STS client doing one exchange: the cold-start floor of POST /token (tools/bench/cold-floor.ts). */
  readonly coldFloor: BuiltFunction;
  /** TokenFunction built with SourcesContent: false (a what-if, not the template's settings). */
  readonly tokenNoSourcesContent: BuiltFunction;
  /** TokenFunction without the lazily imported SAML verifier (a what-if: saml2 subject tokens unsupported). */
  readonly tokenNoSaml: BuiltFunction;
}

/**
 * What-if only: the same BuildProperties through esbuild's API, with shared/saml/index.ts replaced by a stub where
 * shared/compose/subject.ts imports it (sam build cannot run plugins; this bundle is never deployed).
 */
const buildTokenWithoutSaml = async (properties: BuildProperties, outDir: string): Promise<BuiltFunction> => {
  const pairs = (values: unknown): Record<string, string> =>
    Object.fromEntries((values as string[]).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
  const outdir = resolve(outDir, 'TokenFunctionNoSaml');
  const stub = resolve(ROOT, 'tools/bench/no-saml.ts');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: properties.EntryPoints as string[],
    bundle: true,
    platform: 'node',
    outdir,
    format: properties.Format as esbuild.Format,
    minify: properties.Minify === true,
    sourcemap: properties.Sourcemap === true,
    target: String(properties.Target),
    mainFields: String(properties.MainFields).split(','),
    outExtension: pairs(properties.OutExtension),
    banner: pairs(properties.Banner),
    logLevel: 'warning',
    metafile: true,
    plugins: [{ name: 'no-saml', setup: (b) => b.onResolve({ filter: /saml\/index\.ts$/ }, (a) => (a.importer.endsWith('compose/subject.ts') ? { path: stub } : undefined)) }],
  });
  const file = resolve(outdir, 'index.mjs');
  const bytes = await readFile(file);
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  return { logicalId: 'TokenFunctionNoSaml', file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, runtimeImports: [...new Set((output?.imports ?? []).filter((i) => i.external).map((i) => i.path))] };
};

/** Builds everything into `outDir` (emptied first); every bundle must need nothing but Node builtins at run time. */
export const buildAll = async (outDir: string): Promise<Builds> => {
  await rm(outDir, { recursive: true, force: true });
  const fns = esbuildFunctions();
  const token = fns.find((fn) => fn.logicalId === 'TokenFunction');
  if (!token) throw new Error('template.yaml has no TokenFunction');
  const meta = (id: string): string => resolve(outDir, `${id}.meta.json`);
  const functions = await Promise.all(fns.map((fn) => buildFunction(fn, { outDir, metafile: meta(fn.logicalId) })));
  // The reference: the same BuildProperties (banner and all) around a handler that does nothing.
  const trivial = await buildFunction({ logicalId: 'TrivialHandler', properties: { ...token.properties, EntryPoints: ['tools/bench/trivial.ts'] } }, { outDir });
  const coldFloor = await buildFunction({ logicalId: 'TokenColdFloor', properties: { ...token.properties, EntryPoints: ['tools/bench/cold-floor.ts'] } }, { outDir });
  const tokenNoSourcesContent = await buildFunction({ logicalId: 'TokenFunctionNoSourcesContent', properties: { ...token.properties, SourcesContent: false } }, { outDir });
  const tokenNoSaml = await buildTokenWithoutSaml(token.properties, outDir);
  for (const b of [...functions, trivial, coldFloor, tokenNoSourcesContent, tokenNoSaml]) {
    const missing = unresolvedImports(b);
    if (missing.length > 0) throw new Error(`${b.logicalId}: the bundle imports ${missing.join(', ')} at run time`);
  }
  return { functions, trivial, coldFloor, tokenNoSourcesContent, tokenNoSaml };
};
