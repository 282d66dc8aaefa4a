// Validating the config file: YAML (or JSON) parsed with bounds, the schema (zod), the semantic checks. Pure: the
// same text always gives the same result, which is what lets `npm run build` run this once and ship the result
// (shared/config/prevalidated.ts). In a Lambda bundle this module is a second entry point of each function
// (functions/<fn>/config.ts), loaded only when no pre-validated copy matches; everything else reads the result.

import { compiledPolicy, instancePolicy, type Policy } from '../rules/index.ts';
import { catalogueOf, type Catalogue, type FileReader } from './accounts.ts';
import { checkConfig, type Problem } from './check.ts';
import { ConfigError, fileReaderFor, type ValidatedConfig } from './resolve.ts';
import { rulesOf } from './rule-documents.ts';
import { configSchema, type ParsedConfig } from './schema.ts';

const zodPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');

/** Parses YAML or JSON text. Syntax errors name a position, never the text around it (it may hold a secret). */
export const parseConfigText = async (text: string, file: string): Promise<unknown> => {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ConfigError(file, [{ severity: 'error', path: '(file)', message: 'not valid JSON' }]);
    }
  }
  // js-yaml with its default YAML 1.2 core schema: strings, numbers, booleans, null (no dates, no merge keys, no
  // custom tags), duplicate keys refused. Aliases are shared references: bounded here, and again below.
  const { load } = await import('js-yaml');
  let data: unknown;
  try {
    data = load(text, { maxAliases: MAX_YAML_ALIASES, maxDepth: 64 });
  } catch (error) {
    throw new ConfigError(file, [{ severity: 'error', path: '(file)', message: yamlErrorMessage(error) }]);
  }
  if (expandedNodes(data) > MAX_EXPANDED_NODES) {
    // A self-referencing alias, or aliases of aliases that would expand to an enormous document (billion laughs).
    throw new ConfigError(file, [{ severity: 'error', path: '(file)', message: 'YAML aliases: undefined anchor or too many alias expansions' }]);
  }
  return data;
};

const MAX_YAML_ALIASES = 100;
const MAX_EXPANDED_NODES = 100_000;

/** Position and kind of a YAML error; the reason only when it is plain words (it never quotes the text). */
const yamlErrorMessage = (error: unknown): string => {
  const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  const at = typeof mark?.line === 'number' && typeof mark.column === 'number' ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : '';
  const kind = typeof reason === 'string' && /^[A-Za-z ,()-]{1,80}$/.test(reason) ? reason : 'syntax error';
  return `YAML ${kind}${at}`;
};

/** Nodes of the document with every alias expanded (shared references counted each time); a cycle counts as too many. */
const expandedNodes = (root: unknown): number => {
  const memo = new Map<object, number>();
  const open = new Set<object>();
  const walk = (value: unknown): number => {
    if (value === null || typeof value !== 'object') return 1;
    const known = memo.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) return Number.POSITIVE_INFINITY;
    open.add(value);
    let n = 1;
    for (const child of Object.values(value)) {
      n += walk(child);
      if (n > MAX_EXPANDED_NODES) break;
    }
    open.delete(value);
    memo.set(value, n);
    return n;
  };
  return walk(root);
};

/** Keys the schema's records would silently drop (`__proto__`): refused, so that no condition or tag vanishes. */
const forbiddenKeys = (data: unknown): Problem[] => {
  const out: Problem[] = [];
  const seen = new Set<object>();
  // The path is written only for a hit: a config of thousands of accounts has tens of thousands of keys.
  const parts: string[] = [];
  const pathOf = (): string => parts.reduce((acc, part) => (part.startsWith('[') ? `${acc}${part}` : acc ? `${acc}.${part}` : part), '');
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const array = Array.isArray(value);
    for (const key of Object.keys(value)) {
      // `accounts:` is read entry by entry, not by the schema: nothing of it is dropped (shared/config/accounts.ts).
      if (value === data && key === 'accounts') continue;
      parts.push(array ? `[${key}]` : key);
      if (key === '__proto__') out.push({ severity: 'error', path: pathOf(), message: 'a key named __proto__ is not allowed' });
      else walk((value as Record<string, unknown>)[key]);
      parts.pop();
    }
  };
  walk(data);
  return out;
};

export interface ValidateOptions {
  /** Reads a file the config names (accountsFile), relative to the config file. */
  readonly readFile?: FileReader | undefined;
  /** Look for warnings too (default true); see LoadOptions. */
  readonly warnings?: boolean | undefined;
}

export interface Validated {
  readonly config?: ParsedConfig;
  readonly problems: Problem[];
  /** Accounts and role instances (when the config passed the schema). */
  readonly catalogue?: Catalogue;
  /** The rules engine's input, compiled once here. */
  readonly policy?: Policy;
}

/** Schema + semantic checks. Returns the parsed config, its role instances and policy, and every problem found. */
export const validateConfig = (data: unknown, options: ValidateOptions = {}): Validated => {
  const forbidden = forbiddenKeys(data);
  if (forbidden.length > 0) return { problems: forbidden };
  const result = configSchema.safeParse(data);
  if (!result.success) {
    // An unknown key is reported at its own path (broker.sealingSecet), not at the mapping that holds it.
    const problems = result.error.issues.flatMap((issue): Problem[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ severity: 'error', path: zodPath([...issue.path, key]), message: 'unknown key (check the spelling against docs/configuration.md)' }))
        : [{ severity: 'error', path: zodPath(issue.path) || '(root)', message: issue.message }],
    );
    return { problems };
  }
  const config = result.data;
  const problems: Problem[] = [];
  const catalogue = catalogueOf(config, options.readFile, problems);
  const policy = instancePolicy(catalogue.ids, catalogue.defs, rulesOf(config));
  problems.push(...checkConfig(config, { catalogue, compiled: compiledPolicy(policy), warnings: options.warnings !== false }));
  return { config, problems, catalogue, policy };
};

/** Parses and validates the text of `file`: the parsed config and its warnings, or a ConfigError listing every problem. */
export const validateConfigText = async (text: string, file: string, options: { readonly warnings?: boolean | undefined } = {}): Promise<ValidatedConfig> =>
  validated(await parseConfigText(text, file), file, options);

/** Validates data already parsed from `file` (an `accountsFile` is read next to it). */
export const validated = (data: unknown, file: string, options: { readonly warnings?: boolean | undefined } = {}): ValidatedConfig => {
  const { config, problems, catalogue, policy } = validateConfig(data, { readFile: fileReaderFor(file), warnings: options.warnings });
  if (!config || problems.some((p) => p.severity === 'error')) throw new ConfigError(file, problems);
  return { config, warnings: problems, catalogue, policy };
};
