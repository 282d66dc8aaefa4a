// `npm run build:cli [-- --out FILE]`: the fbroker command as one self-contained ES module for the user's Node
// (≥ 20): cli/src bundled with its libraries by esbuild, a `#!/usr/bin/env node` line, and a `require` for the
// CommonJS libraries inside (proper-lockfile). No runtime dependency: `npm pack ./cli` ships this file alone.

import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { kb, ROOT } from './build.ts';

export const CLI_ENTRY = resolve(ROOT, 'cli/src/fbroker.ts');
export const CLI_OUTFILE = resolve(ROOT, 'cli/dist/fbroker.mjs');

export interface BuiltCli {
  readonly file: string;
  readonly bytes: number;
  /** Modules the file still imports: Node builtins only. */
  readonly imports: readonly string[];
}

export const buildCli = async (outfile: string = CLI_OUTFILE): Promise<BuiltCli> => {
  await mkdir(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [CLI_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'eof',
    // Everything is bundled; only node: builtins stay imports (checked below).
    packages: 'bundle',
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __fbrokerRequire } from 'node:module';\nconst require = __fbrokerRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  const imports = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external === true).map((i) => i.path)))].sort();
  const foreign = imports.filter((i) => !i.startsWith('node:') && !/^[a-z_]+(\/[a-z_]+)?$/.test(i));
  if (foreign.length > 0) throw new Error(`the fbroker bundle still imports ${foreign.join(', ')}`);
  // The CommonJS parts may still require() builtins at run time; anything else would fail on a user's machine.
  const text = await readFile(outfile, 'utf8');
  const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!).filter((m) => !/^(node:)?[a-z_]+(\/[a-z_]+)?$/.test(m));
  if (required.length > 0) throw new Error(`the fbroker bundle requires ${required.join(', ')} at run time`);
  await chmod(outfile, 0o755);
  return { file: outfile, bytes: (await stat(outfile)).size, imports };
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const built = await buildCli(values.out === undefined ? CLI_OUTFILE : resolve(values.out));
  console.log(`fbroker  ${kb(built.bytes)}  ${relative(ROOT, built.file)}  (Node ≥ 20; imports only ${built.imports.join(', ')})`);
};

if (import.meta.main) await main();
