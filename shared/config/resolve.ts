// The part of loading the config that runs at every cold start, after the file has been validated (by the schema and
// the semantic checks, or by a pre-validated copy of that result: shared/config/prevalidated.ts): files and secret
// references resolved (`file:`, `env:`, `ssm:`), the committed development keys refused outside loopback, the key
// material parsed, and the BrokerConfig the composition reads. Every problem is reported by its path; no value from
// the file is echoed. Nothing here loads the YAML parser or the schema library.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { instancePolicy, type Account, type Policy, type Rule } from '../rules/index.ts';
import { catalogueOf, type Catalogue, type ConfiguredRole, type FileReader } from './accounts.ts';
import type { Problem } from './check.ts';
import { devKeyProblems } from './dev-keys.ts';
import { materialOf, type KeyMaterial } from './material.ts';
import { rulesOf } from './rule-documents.ts';
import type { ParsedConfig, ProviderConfig } from './schema.ts';

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

/**
 * A config that passed the schema and the semantic checks: its parsed form and the warnings found (what a
 * pre-validated copy records), and — when the validation just ran in this process — the accounts, role instances and
 * rules engine input it built, so that they are not built twice.
 */
export interface ValidatedConfig {
  readonly config: ParsedConfig;
  readonly warnings: readonly Problem[];
  readonly catalogue?: Catalogue | undefined;
  readonly policy?: Policy | undefined;
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
        secrets.set(ref, readFileSync(resolve(dir, ref.slice(5)), 'utf8'));
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

const materialise = (file: string, config: ParsedConfig, catalogue: Catalogue, policy: Policy, secrets: Map<string, string>, material: KeyMaterial, warnings: Problem[]): BrokerConfig => {
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

/**
 * The accounts, role instances and rules engine input of a validated config: those its validation built in this
 * process, or built here from the recorded result (a pre-validated copy), reading `accountsFile` again. A problem
 * here means the accounts file changed since the validation; it is reported like any other.
 */
const catalogueAndPolicy = (validated: ValidatedConfig, file: string): { catalogue: Catalogue; policy: Policy; problems: Problem[] } => {
  const problems: Problem[] = [];
  const catalogue = validated.catalogue ?? catalogueOf(validated.config, fileReaderFor(file), problems);
  const policy = validated.policy ?? instancePolicy(catalogue.ids, catalogue.defs, rulesOf(validated.config));
  return { catalogue, policy, problems };
};

/** Resolves the references of a validated config, parses its key material and builds the BrokerConfig. */
export const completeConfig = async (validated: ValidatedConfig, file: string, options: LoadOptions = {}): Promise<BrokerConfig> => {
  const { config, warnings } = validated;
  const { catalogue, policy, problems } = catalogueAndPolicy(validated, file);
  if (problems.some((p) => p.severity === 'error')) throw new ConfigError(file, [...warnings, ...problems]);
  const resolved = await resolveRefs(config, file, options);
  resolved.problems.push(...devKeyProblems(config.broker.baseUrl, keyTextsOf(config, resolved.secrets), options.env ?? process.env));
  const { material, problems: materialProblems } = await materialOf(config, resolved.secrets);
  resolved.problems.push(...materialProblems);
  if (resolved.problems.length > 0) throw new ConfigError(file, [...warnings, ...resolved.problems]);
  return materialise(file, config, catalogue, policy, resolved.secrets, material, [...warnings]);
};

/** The config file's bytes; an unreadable file is a ConfigError like any other problem. */
export const readConfigFile = async (file: string): Promise<Buffer> => {
  try {
    return readFileSync(file);
  } catch {
    throw new ConfigError(file, [{ severity: 'error', path: '(file)', message: 'the config file cannot be read' }]);
  }
};

/** Whether the config reads anything from SSM (`ssm:` references) or signs with KMS (`kms:` keys). */
export const awsReferencesOf = (config: ParsedConfig): { readonly ssm: boolean; readonly kms: boolean } => {
  const refs = refsOf(config).map(([, ref]) => ref);
  const { signingKey, previousSigningKey } = config.broker;
  return { ssm: refs.some((ref) => ref.startsWith('ssm:')), kms: [signingKey, previousSigningKey].some((ref) => ref?.startsWith('kms:') === true) };
};
