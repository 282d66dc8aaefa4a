// A pre-validated config: what the validator (shared/config/validate.ts: YAML, the schema, the semantic checks) made of
// one config file, written by `npm run build` next to that file as `<file>.validated.json` and shipped with it in the
// config layer. Validation is a pure function of two inputs — the bytes of the config file and the code of the
// validator — so the document records the SHA-256 of both: a cold start that finds the same two hashes (the config
// file it reads, the validator bundle beside its handler) uses the recorded result instead of loading and running the
// validator again. Anything else — no document, another config, another validator, a document that does not read —
// and the function validates the file itself, as it always did. What depends on the environment (references,
// development keys, key material) is never recorded: shared/config/resolve.ts runs it at every cold start.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ValidatedConfig } from './resolve.ts';

export const PREVALIDATED_FORMAT = 'federation-broker/validated-config/1';

/** Where the pre-validated copy of a config file lives: beside it, in the same layer. */
export const prevalidatedFileOf = (configFile: string): string => `${configFile}.validated.json`;

export interface PrevalidatedDocument extends ValidatedConfig {
  readonly format: typeof PREVALIDATED_FORMAT;
  /** The config file it was made from (its name, for people) and the SHA-256 of its bytes (hex). */
  readonly source: { readonly file: string; readonly sha256: string };
  /** SHA-256 (hex) of each validator bundle that made this result (the same bytes in every function, as a rule). */
  readonly validators: readonly string[];
  /** The config's `accountsFile` (docs/accounts.md) and the SHA-256 of its bytes: validation read it too. */
  readonly accountsFile?: { readonly file: string; readonly sha256: string } | undefined;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The document `npm run build` writes for a config file and the validator bundles that validated it. */
export const prevalidatedDocument = (configFile: string, configBytes: Uint8Array, validators: readonly Uint8Array[], result: ValidatedConfig): PrevalidatedDocument => {
  const accountsFile = result.config.accountsFile;
  return {
    format: PREVALIDATED_FORMAT,
    source: { file: basename(configFile), sha256: sha256Hex(configBytes) },
    validators: [...new Set(validators.map(sha256Hex))],
    ...(accountsFile === undefined ? {} : { accountsFile: { file: accountsFile, sha256: sha256Hex(readFileSync(resolve(dirname(configFile), accountsFile))) } }),
    config: result.config,
    warnings: result.warnings,
  };
};

/** The accounts file now has the bytes it had when the document was made (or the config names none). */
const sameAccountsFile = (configFile: string, recorded: unknown, named: unknown): boolean => {
  if (named === undefined) return recorded === undefined;
  if (!isRecord(recorded) || recorded.file !== named || typeof named !== 'string') return false;
  try {
    return sha256Hex(readFileSync(resolve(dirname(configFile), named))) === recorded.sha256;
  } catch {
    return false;
  }
};

export type Prevalidated =
  | { readonly use: ValidatedConfig; readonly reason?: undefined }
  /** Why the document was not used (for the cold start's log line); undefined reason: there is none. */
  | { readonly use?: undefined; readonly reason?: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The recorded result for these config bytes and this validator bundle, if a document beside the config holds it. */
export const readPrevalidated = async (configFile: string, configBytes: Uint8Array, validator: Uint8Array): Promise<Prevalidated> => {
  let text: string;
  try {
    text = readFileSync(prevalidatedFileOf(configFile), 'utf8');
  } catch {
    return {};
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { reason: 'it is not JSON' };
  }
  if (!isRecord(document) || document.format !== PREVALIDATED_FORMAT || !isRecord(document.source) || !Array.isArray(document.validators)) return { reason: 'it is not a pre-validated config' };
  if (document.source.sha256 !== sha256Hex(configBytes)) return { reason: 'the config file changed since it was made' };
  if (!document.validators.includes(sha256Hex(validator))) return { reason: 'it was made by another build of the broker' };
  if (!isRecord(document.config) || !Array.isArray(document.warnings)) return { reason: 'it is not a pre-validated config' };
  if (!sameAccountsFile(configFile, document.accountsFile, document.config.accountsFile)) return { reason: 'the accounts file changed since it was made' };
  return { use: { config: document.config as unknown as ValidatedConfig['config'], warnings: document.warnings as ValidatedConfig['warnings'] } };
};
