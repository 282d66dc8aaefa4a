// Loading the config file: parse (YAML or JSON), validate with the schema, run the semantic checks, resolve
// files and secret references. Every problem is reported by its path; no value from the file is echoed.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { compiledPolicy, instancePolicy, type Account, type Policy, type Rule } from '../rules/index.ts';
import { catalogueOf, type Catalogue, type ConfiguredRole, type FileReader } from './accounts.ts';
import { checkConfig, policyDocument, ruleIdAt, type Problem } from './check.ts';
import { materialOf, type KeyMaterial } from './material.ts';
import { devKeyProblems } from './dev-keys.ts';
import { configSchema, type ParsedConfig, type ProviderConfig } from './schema.ts';

export type { Problem } from './check.ts';

export interface BrokerConfig {
  readonly file: string;
  readonly broker: ParsedConfig['broker'] & { readonly samlEntityId: string; readonly acsUrl: string };
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Role instances by id: plain roles, and `<role>@<account>` for each account of a role template (docs/accounts.md). */
  readonly roles: Readonly<Record<string, ConfiguredRole>>;
  /** The accounts of `accounts:` or `accountsFile:`, in order, and by id (for asserted roles). */
  readonly accounts: readonly Account[];
  readonly accountsById: ReadonlyMap<string, Account>;
  /** Rules with their ids filled in (`rule-N` for unnamed rules). */
  readonly rules: readonly Rule[];
  /** What the rules engine needs. */
  readonly policy: Policy;
  /** Resolved secret and file references, by reference text (`env:NAME`, `ssm:/p`, `file:keys/x.pem`). */
  readonly secrets: ReadonlyMap<string, string>;
  /** Key material parsed and checked at load (shared/config/material.ts). */
  readonly material: KeyMaterial;
  readonly warnings: readonly Problem[];
}

export class ConfigError extends Error {
  readonly problems: readonly Problem[];
  constructor(file: string, problems: readonly Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(`${file}: ${errors.length} problem(s) in the broker configuration:\n${errors.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads secret references of the `ssm:` kind; the SSM adapter provides one, tests pass their own. */
export type SsmResolver = (names: readonly string[]) => Promise<ReadonlyMap<string, string>>;

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly ssm?: SsmResolver;
  /** Check structure and semantics only; leave env/ssm references unresolved (used by `check-config`). */
  readonly resolveSecrets?: boolean;
  /**
   * Also look for warnings (default true). A function's cold start sets false: every error still stops it, but the
   * warnings that scan all rule pairs and role instances are check-config's (nothing at run time reads them).
   */
  readonly warnings?: boolean;
}

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

/** Rules with their ids filled in and inline session policies as documents. */
const rulesOf = (config: ParsedConfig): Rule[] =>
  config.rules.map((r, i) => ({
    ...r,
    id: ruleIdAt(r, i),
    // A policy given as a JSON string is the same document as a mapping (checked by checkConfig).
    ...(r.session?.policy === undefined ? {} : { session: { ...r.session, policy: policyDocument(r.session.policy) } }),
  }));

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
  /** The rules engine's input, compiled once here (in the cold start). */
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

/** Reads files next to the config file (synchronously: once, at cold start). */
export const fileReaderFor = (file: string): FileReader => (relative) => {
  try {
    return readFileSync(resolve(dirname(file), relative), 'utf8');
  } catch {
    return undefined;
  }
};

const refsOf = (config: ParsedConfig): Array<[string, string]> => {
  const refs: Array<[string, string]> = [];
  const add = (path: string, ref: string | undefined): void => {
    if (ref !== undefined && !ref.startsWith('kms:')) refs.push([path, ref]);
  };
  add('broker.sealingSecret', config.broker.sealingSecret);
  add('broker.signingKey', config.broker.signingKey);
  add('broker.previousSigningKey', config.broker.previousSigningKey);
  for (const [id, p] of Object.entries(config.providers)) {
    if (p.type === 'oidc') {
      add(`providers.${id}.clientSecret`, p.clientSecret);
      add(`providers.${id}.clientPrivateKey`, p.clientPrivateKey);
      add(`providers.${id}.jwksFile`, p.jwksFile === undefined ? undefined : `file:${p.jwksFile}`);
    } else {
      add(`providers.${id}.metadataFile`, p.metadataFile === undefined ? undefined : `file:${p.metadataFile}`);
      add(`providers.${id}.decryptionKey`, p.decryptionKey);
      add(`providers.${id}.decryptionCert`, p.decryptionCert);
    }
  }
  return refs;
};

const resolveRefs = async (config: ParsedConfig, file: string, options: LoadOptions): Promise<{ secrets: Map<string, string>; problems: Problem[] }> => {
  const env = options.env ?? process.env;
  const dir = dirname(file);
  const secrets = new Map<string, string>();
  const problems: Problem[] = [];
  const ssmWanted = new Map<string, string>();
  for (const [path, ref] of refsOf(config)) {
    if (ref.startsWith('file:')) {
      try {
        secrets.set(ref, await readFile(resolve(dir, ref.slice(5)), 'utf8'));
      } catch {
        problems.push({ severity: 'error', path, message: `file ${ref.slice(5)} cannot be read (paths are relative to the config file)` });
      }
    } else if (options.resolveSecrets === false) {
      continue;
    } else if (ref.startsWith('env:')) {
      const value = env[ref.slice(4)];
      if (value === undefined || value === '') problems.push({ severity: 'error', path, message: `environment variable ${ref.slice(4)} is not set` });
      else secrets.set(ref, value);
    } else if (ref.startsWith('ssm:')) {
      ssmWanted.set(ref.slice(4), path);
    }
  }
  if (ssmWanted.size > 0) {
    const names = [...ssmWanted.keys()];
    try {
      if (!options.ssm) throw new Error('no SSM client was given to resolve ssm: references');
      const values = await options.ssm(names);
      for (const [name, path] of ssmWanted) {
        const value = values.get(name);
        if (value === undefined) problems.push({ severity: 'error', path, message: `SSM parameter ${name} was not found` });
        else secrets.set(`ssm:${name}`, value);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      for (const [name, path] of ssmWanted) problems.push({ severity: 'error', path, message: `SSM parameter ${name} could not be read (${reason})` });
    }
  }
  return { secrets, problems };
};

/** Every piece of key material of the config as text, by path: resolved references and inline metadata. */
const keyTextsOf = (config: ParsedConfig, secrets: ReadonlyMap<string, string>): Array<[string, string]> => {
  const material = refsOf(config).flatMap(([path, ref]): Array<[string, string]> => {
    const text = secrets.get(ref);
    return text === undefined ? [] : [[path, text]];
  });
  for (const [id, p] of Object.entries(config.providers)) if (p.type === 'saml' && p.metadataXml !== undefined) material.push([`providers.${id}.metadataXml`, p.metadataXml]);
  return material;
};

const materialise = (file: string, validated: Required<Validated>, secrets: Map<string, string>, material: KeyMaterial, warnings: Problem[]): BrokerConfig => {
  const { config, catalogue, policy } = validated;
  const providers: Record<string, ProviderConfig> = Object.create(null) as Record<string, ProviderConfig>;
  for (const [id, p] of Object.entries(config.providers)) {
    providers[id] = p.type === 'saml' && p.metadataFile !== undefined ? { ...p, metadataXml: secrets.get(`file:${p.metadataFile}`) } : p;
  }
  // Trailing slashes: the look-behind starts a match only at the first slash of a run (linear time).
  const baseUrl = config.broker.baseUrl.replace(/(?<!\/)\/+$/, '');
  return {
    file,
    broker: {
      ...config.broker,
      baseUrl,
      samlEntityId: config.broker.samlEntityId ?? `${baseUrl}/saml/metadata`,
      acsUrl: `${baseUrl}/saml/acs`,
    },
    providers,
    // Thousands of role instances: the record by id is built on first read (the engine reads its arrays).
    get roles(): Readonly<Record<string, ConfiguredRole>> {
      return policy.roles as Readonly<Record<string, ConfiguredRole>>;
    },
    accounts: catalogue.accounts,
    accountsById: catalogue.accountsById,
    rules: policy.rules,
    policy,
    secrets,
    material,
    warnings,
  };
};

/** Validates data already parsed from `file` (used by tests and the CLI) and resolves its references. */
export const buildConfig = async (data: unknown, file: string, options: LoadOptions = {}): Promise<BrokerConfig> => {
  const validated = validateConfig(data, { readFile: fileReaderFor(file), warnings: options.warnings });
  const { config, problems, catalogue, policy } = validated;
  if (!config || !catalogue || !policy || problems.some((p) => p.severity === 'error')) throw new ConfigError(file, problems);
  const resolved = await resolveRefs(config, file, options);
  resolved.problems.push(...devKeyProblems(config.broker.baseUrl, keyTextsOf(config, resolved.secrets), options.env ?? process.env));
  const { material, problems: materialProblems } = await materialOf(config, resolved.secrets);
  resolved.problems.push(...materialProblems);
  if (resolved.problems.length > 0) throw new ConfigError(file, [...problems, ...resolved.problems]);
  return materialise(file, { config, problems, catalogue, policy }, resolved.secrets, material, problems);
};

export const loadConfigFile = async (file: string, options: LoadOptions = {}): Promise<BrokerConfig> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(file, [{ severity: 'error', path: '(file)', message: 'the config file cannot be read' }]);
  }
  return buildConfig(await parseConfigText(text, file), file, options);
};
