// The bench's bundles: every function as sam build makes it (tools/build), the local config pre-validated by them as
// `npm run build` does it, and the cold-start references (a trivial handler and the jose + STS floor, with
// TokenFunction's BuildProperties). Also the split of each bundle's bytes by origin.

import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildFunction, esbuildFunctions, unresolvedImports, validatorFilesOf, type BuildProperties, type BuiltFunction } from '../build/build.ts';
import { prevalidateConfig } from '../build/prevalidate.ts';

const CATEGORIES: ReadonlyArray<readonly [string, RegExp]> = [
  ['AWS SDK', /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/|tslib\/|fast-xml-parser|strnum|bowser|uuid|mnemonist|obliterator)/],
  ['SAML / XML', /node_modules\/(samlify|xml-crypto|xpath|@xmldom|@authenio|node-rsa|xml-escape|xml\/|camelcase|pako|asn1|safer-buffer|node-forge|escape-html)/],
  ['YAML', /node_modules\/(js-yaml|argparse)\//],
  ['jose, openid-client', /node_modules\/(jose|openid-client|oauth4webapi)\//],
  ['zod', /node_modules\/zod\//],
  ['Powertools, middy', /node_modules\/(@aws-lambda-powertools|@middy)\//],
  ['broker code', /^(shared|functions|tools)\//],
];

interface MetafileOutputs {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Bytes of one entry point's minified output by origin (esbuild's metafile: bytes each input contributes). */
export const breakdownOf = async (metafile: string, entryPoint: string): Promise<Record<string, number>> => {
  const meta = JSON.parse(await readFile(metafile, 'utf8')) as MetafileOutputs;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint === entryPoint);
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
}

/**
 * Builds everything into `outDir` (emptied first); every bundle must need nothing but Node builtins at run time.
 * Each of `configs` gets its pre-validated copy beside it, made by these bundles' validator.
 */
export const buildAll = async (outDir: string, configs: readonly string[] = []): Promise<Builds> => {
  await rm(outDir, { recursive: true, force: true });
  const fns = esbuildFunctions();
  const token = fns.find((fn) => fn.logicalId === 'TokenFunction');
  if (!token) throw new Error('template.yaml has no TokenFunction');
  const meta = (id: string): string => resolve(outDir, `${id}.meta.json`);
  const functions = await Promise.all(fns.map((fn) => buildFunction(fn, { outDir, metafile: meta(fn.logicalId) })));
  // The references: the same BuildProperties (banner, externals and all) around one entry point.
  const alone = (entry: string): BuildProperties => ({ ...token.properties, EntryPoints: [entry] });
  const trivial = await buildFunction({ logicalId: 'TrivialHandler', properties: alone('tools/bench/trivial.ts') }, { outDir });
  const coldFloor = await buildFunction({ logicalId: 'TokenColdFloor', properties: alone('tools/bench/cold-floor.ts') }, { outDir });
  for (const b of [...functions, trivial, coldFloor]) {
    const missing = unresolvedImports(b);
    if (missing.length > 0) throw new Error(`${b.logicalId}: the bundle imports ${missing.join(', ')} at run time`);
  }
  for (const config of configs) await prevalidateConfig(config, validatorFilesOf(functions));
  return { functions, trivial, coldFloor };
};
