// Pre-validated configs (shared/config/prevalidated.ts): the build runs the functions' own validator bundles
// (<LogicalId>/config.mjs, as sam build makes them) on a config file and writes the result beside it as
// `<file>.validated.json`, naming the SHA-256 of the config's bytes and of each validator bundle. A cold start that
// reads the same config with the same validator beside its handler then skips the YAML parser, the schema and the
// semantic checks. `npm run build` does this for every config file in config/; `npm run bench` for the local one.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { prevalidatedDocument, prevalidatedFileOf, sha256Hex } from '../../shared/config/prevalidated.ts';
import type { ValidatedConfig } from '../../shared/config/resolve.ts';
import type { validateConfigText } from '../../shared/config/validate.ts';

/** Config files of a folder: YAML or JSON, not a pre-validated copy. */
export const configFilesIn = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name) && !e.name.endsWith('.validated.json'))
    .map((e) => resolve(dir, e.name))
    .sort();

/**
 * Validates `configFile` with each distinct validator bundle and writes the pre-validated copy beside it. Every bundle
 * must give the same result, and the result must read back from JSON unchanged (what a cold start gets). Returns the
 * file written; a config that does not validate throws its ConfigError, and nothing is written.
 */
export const prevalidateConfig = async (configFile: string, validatorFiles: readonly string[]): Promise<string> => {
  const configBytes = await readFile(configFile);
  // One run per distinct bundle: the functions' validators are the same bytes, as a rule.
  const validators = new Map<string, { readonly file: string; readonly bytes: Buffer }>();
  for (const file of validatorFiles) {
    const bytes = await readFile(file);
    if (!validators.has(sha256Hex(bytes))) validators.set(sha256Hex(bytes), { file, bytes });
  }
  if (validators.size === 0) throw new Error('no validator bundle (config.mjs) was built');
  let result: ValidatedConfig | undefined;
  for (const { file } of validators.values()) {
    const module = (await import(pathToFileURL(file).href)) as { validateConfigText: typeof validateConfigText };
    // What a cold start reads back: the config and its warnings (the catalogue and the compiled policy it builds again).
    const { config, warnings } = await module.validateConfigText(configBytes.toString('utf8'), configFile);
    const own: ValidatedConfig = { config, warnings };
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(own)), own)) throw new Error(`${configFile}: the validated config holds a value JSON cannot carry; deploy it without a pre-validated copy`);
    if (result !== undefined && !isDeepStrictEqual(own, result)) throw new Error(`${configFile}: two validator bundles disagree (${file})`);
    result = own;
  }
  const out = prevalidatedFileOf(configFile);
  await writeFile(out, `${JSON.stringify(prevalidatedDocument(configFile, configBytes, [...validators.values()].map((v) => v.bytes), result!), null, 2)}\n`);
  return out;
};
