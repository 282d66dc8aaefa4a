// `node tools/build/config-json.ts <config.yaml> [--out <config.json>]`: the JSON form of a YAML broker config, for
// deployment. The functions read either (BROKER_CONFIG's extension decides), but a YAML file costs every cold
// start the YAML parser's first run (docs/performance.md has the figure from `npm run bench`); JSON.parse does not.
// Parsed with the loader's own YAML settings (unique keys, alias limit) and checked with the same schema; written
// only when valid, next to the YAML by default so that relative `file:` references still resolve. Comments are
// not carried over: keep the YAML as the source, and deploy with `--parameter-overrides ConfigFile=<name>.json`.

import { writeFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, fileReaderFor, parseConfigText, validateConfig } from '../../shared/config/index.ts';

const main = async (): Promise<number> => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const [input] = positionals;
  if (!input || !/\.ya?ml$/i.test(input)) {
    console.error('Usage: node tools/build/config-json.ts <config.yaml> [--out <config.json>]');
    return 2;
  }
  const file = resolve(input);
  const out = resolve(values.out ?? file.replace(/\.ya?ml$/i, '.json'));
  try {
    const data = await parseConfigText(await readFile(file, 'utf8'), file);
    const { problems } = validateConfig(data, { readFile: fileReaderFor(file) });
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new ConfigError(file, errors);
    await writeFile(out, `${JSON.stringify(data, null, 2)}\n`);
    console.log(`${out} written (deploy with ConfigFile=${out.split('/').pop() ?? ''})`);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
};

if (import.meta.main) process.exitCode = await main();
