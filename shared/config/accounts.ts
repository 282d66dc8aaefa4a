// Many accounts (docs/accounts.md): the accounts of the config — `accounts:` or `accountsFile:` (the JSON that
// `aws organizations list-accounts` prints, or `{"accounts": {...}}`) — and the roles expanded once, at load, into
// role instances: a role template (`${account}` in its ARN) gives `<role>@<account>` per selected account; a plain
// role keeps its id and gets the account its ARN names, when the config knows it. Every problem by path; no account
// id or tag value is echoed.

import { readJsonObject } from '../json/strict.ts';
import { ID } from '../patterns.ts';
import { ASSERTED_ROLE, type Account, type RoleDef } from '../rules/index.ts';
import type { Problem } from './check.ts';
import type { ParsedConfig, RoleConfig } from './schema.ts';

/** A role instance as the broker holds it: what the rules engine needs, and the ExternalId AssumeRole passes. */
export interface ConfiguredRole extends RoleDef {
  readonly externalId?: string | undefined;
}

export interface Catalogue {
  /** In the order of the config (or of the file). */
  readonly accounts: readonly Account[];
  readonly accountsByName: ReadonlyMap<string, Account>;
  readonly accountsById: ReadonlyMap<string, Account>;
  /** Role instances in the order of `roles:` and, within a template, of the accounts: their ids and definitions. */
  readonly ids: readonly string[];
  readonly defs: readonly ConfiguredRole[];
  /** Ids of the roles of `roles:` that are templates. */
  readonly templates: ReadonlySet<string>;
  /** Some role instance is in a known account. */
  readonly withAccount: boolean;
}

/** A file that only the loader may read (relative to the config file): its text, or undefined when it cannot be read. */
export type FileReader = (relativePath: string) => string | undefined;

export const TEMPLATE_MARK = '${account}';
const ACCOUNT_ID = /^\d{12}$/;

/** An Organizations account Name as an account name: lower case, every character outside [a-z0-9._-] as `-`. */
export const accountNameOf = (organizationsName: string): string => organizationsName.toLowerCase().replace(/[^a-z0-9._-]/g, '-');

type Report = (path: string, message: string) => void;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const tagsOf = (value: unknown, path: string, report: Report): Record<string, string> => {
  const tags = Object.create(null) as Record<string, string>;
  if (value === undefined) return tags;
  if (!isRecord(value)) {
    report(path, 'must be a mapping of tag key to string value');
    return tags;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === '' || typeof v !== 'string') report(`${path}.${key}`, 'must be a string');
    else tags[key] = v;
  }
  return tags;
};

/** `{"Accounts": [{"Id", "Name", "tags"?}, …]}`: other members (Arn, Email, Status, …) are ignored. */
interface Located {
  readonly account: Account;
  /** Where it is written: `accounts.payments-prod`, `accountsFile.Accounts[3]`. */
  readonly path: string;
}

const organizationsAccounts = (document: Record<string, unknown>, report: Report, warn: Report): Located[] => {
  const base = 'accountsFile.Accounts';
  if (!Array.isArray(document.Accounts)) {
    report(base, 'must be a list (the output of aws organizations list-accounts)');
    return [];
  }
  if (document.NextToken !== undefined) warn('accountsFile.NextToken', 'the file is one page of list-accounts: accounts on the other pages are missing (run it without --max-items)');
  const out: Located[] = [];
  document.Accounts.forEach((entry: unknown, i) => {
    const at = `${base}[${i}]`;
    if (!isRecord(entry)) return report(at, 'must be a mapping with Id and Name');
    const { Id: id, Name: name } = entry;
    if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) return report(`${at}.Id`, 'must be a 12-digit account id as a string');
    if (typeof name !== 'string' || name === '') return report(`${at}.Name`, 'must be a non-empty string');
    const derived = accountNameOf(name);
    if (!ID.test(derived)) return report(`${at}.Name`, 'gives no usable account name (lower-cased, other characters as "-": it must start with a letter or digit and have at most 64 characters)');
    out.push({ account: { id, name: derived, label: name, tags: tagsOf(entry.tags, `${at}.tags`, report) }, path: at });
  });
  return out;
};

const ACCOUNT_KEYS = new Set(['id', 'label', 'tags']);

/** An `accounts:` mapping, entry by entry: names of the id form, ids of 12 digits (as strings), labels, tags. */
const accountsMap = (value: unknown, base: string, report: Report): Located[] => {
  if (!isRecord(value)) {
    report(base, 'must be a mapping of account name to { id, label, tags }');
    return [];
  }
  const out: Located[] = [];
  for (const [name, entry] of Object.entries(value)) {
    const at = `${base}.${name}`;
    if (!ID.test(name)) {
      report(at, "an account name is letters, digits, '.', '_', '-' (at most 64), starting with a letter or digit");
      continue;
    }
    if (!isRecord(entry)) {
      report(at, 'must be a mapping with id, and optionally label and tags');
      continue;
    }
    for (const key of Object.keys(entry)) if (!ACCOUNT_KEYS.has(key)) report(`${at}.${key}`, 'unknown key (check the spelling against docs/accounts.md)');
    const { id, label } = entry;
    if (id === undefined) report(`${at}.id`, 'is required');
    else if (typeof id !== 'string') report(`${at}.id`, 'must be a 12-digit account id as a string: quote it ("012345678901")');
    else if (!ACCOUNT_ID.test(id)) report(`${at}.id`, 'must be a 12-digit AWS account id');
    if (label !== undefined && (typeof label !== 'string' || label === '')) report(`${at}.label`, 'must be a non-empty string');
    const tags = tagsOf(entry.tags, `${at}.tags`, report);
    if (typeof id === 'string' && ACCOUNT_ID.test(id)) out.push({ account: { id, name, label: typeof label === 'string' && label !== '' ? label : undefined, tags }, path: at });
  }
  return out;
};

const fileAccounts = (config: ParsedConfig, read: FileReader | undefined, report: Report, warn: Report): Located[] => {
  const file = config.accountsFile ?? '';
  const text = read?.(file);
  if (text === undefined) {
    report('accountsFile', `file ${file} cannot be read (paths are relative to the config file)`);
    return [];
  }
  const parsed = readJsonObject(text);
  if (!('value' in parsed)) {
    report('accountsFile', 'must be a JSON object (with no repeated member): {"Accounts": [...]} or {"accounts": {...}}');
    return [];
  }
  const document = parsed.value;
  if (Object.hasOwn(document, 'Accounts')) return organizationsAccounts(document, report, warn);
  if (!Object.hasOwn(document, 'accounts') || Object.keys(document).length !== 1) {
    report('accountsFile', 'must hold {"Accounts": [...]} (aws organizations list-accounts) or {"accounts": {...}} (the accounts: mapping)');
    return [];
  }
  return accountsMap(document.accounts, 'accountsFile.accounts', report);
};

/** The config's accounts, checked: ids of 12 digits, names and ids each used once. */
export const accountsOf = (config: ParsedConfig, read: FileReader | undefined, problems: Problem[]): Account[] => {
  const report: Report = (path, message) => void problems.push({ severity: 'error', path, message });
  const warn: Report = (path, message) => void problems.push({ severity: 'warning', path, message });
  if (config.accounts !== undefined && config.accountsFile !== undefined) {
    report('accountsFile', 'use accounts or accountsFile, not both');
    return [];
  }
  const located = config.accountsFile !== undefined ? fileAccounts(config, read, report, warn) : config.accounts === undefined ? [] : accountsMap(config.accounts, 'accounts', report);
  const names = new Map<string, string>();
  const ids = new Map<string, string>();
  for (const { account, path } of located) {
    const sameName = names.get(account.name);
    if (sameName !== undefined) report(path, `account name "${account.name}" is used twice (also ${sameName})`);
    else names.set(account.name, path);
    const sameId = ids.get(account.id);
    if (sameId !== undefined) report(path.startsWith('accounts.') || path.startsWith('accountsFile.accounts.') ? `${path}.id` : `${path}.Id`, `the same account id as ${sameId}`);
    else ids.set(account.id, path);
  }
  return located.map((l) => l.account);
};

/** The accounts a template's `accounts:` selects, in the accounts' order. */
const selectAccounts = (rid: string, role: RoleConfig, accounts: readonly Account[], byName: ReadonlyMap<string, Account>, problems: Problem[]): Account[] => {
  const selector = role.accounts;
  if (selector === undefined) return [];
  if (Array.isArray(selector)) {
    if (selector.includes('*')) return [...accounts];
    const wanted = new Set<string>();
    selector.forEach((name, j) => {
      if (byName.has(name)) wanted.add(name);
      else problems.push({ severity: 'error', path: `roles.${rid}.accounts[${j}]`, message: `unknown account "${name}" (not in accounts)` });
    });
    return accounts.filter((a) => wanted.has(a.name));
  }
  const wanted = Object.entries(selector.tags).map(([key, values]) => [key, new Set(typeof values === 'string' ? [values] : values)] as const);
  return accounts.filter((a) => wanted.every(([key, values]) => Object.hasOwn(a.tags, key) && values.has(a.tags[key] ?? '')));
};

/** The role instances of the config; problems (templates without accounts and the like) go to `problems`. */
export const catalogueOf = (config: ParsedConfig, read: FileReader | undefined, problems: Problem[]): Catalogue => {
  const accounts = accountsOf(config, read, problems);
  const accountsByName = new Map(accounts.map((a) => [a.name, a]));
  const accountsById = new Map(accounts.map((a) => [a.id, a]));
  const ids: string[] = [];
  const defs: ConfiguredRole[] = [];
  const templates = new Set<string>();
  let withAccount = false;
  for (const [rid, role] of Object.entries(config.roles)) {
    const { accounts: _selector, arn, ...rest } = role;
    if (rid === ASSERTED_ROLE) {
      problems.push({ severity: 'error', path: `roles.${rid}`, message: `the role id "${ASSERTED_ROLE}" is reserved for IdP-asserted roles (rules list them as asserted@<account>)` });
      continue;
    }
    const template = arn.includes(TEMPLATE_MARK);
    if (template && role.accounts === undefined) {
      problems.push({ severity: 'error', path: `roles.${rid}.arn`, message: 'a role template (${account} in the ARN) needs accounts: names, "*" or { tags: ... }' });
      continue;
    }
    if (!template && role.accounts !== undefined) {
      problems.push({ severity: 'error', path: `roles.${rid}.accounts`, message: 'accounts is for role templates: write ${account} in the ARN in place of the account id' });
      continue;
    }
    if (!template) {
      const account = accountsById.get(arn.split(':')[4] ?? '');
      withAccount ||= account !== undefined;
      ids.push(rid);
      defs.push({ ...rest, arn, account });
      continue;
    }
    templates.add(rid);
    const selected = selectAccounts(rid, role, accounts, accountsByName, problems);
    if (selected.length === 0) problems.push({ severity: 'warning', path: `roles.${rid}.accounts`, message: 'selects no account: this template makes no role' });
    withAccount ||= selected.length > 0;
    // Thousands of these at cold start: one object shape, no spread.
    const [head = '', tail = ''] = arn.split(TEMPLATE_MARK);
    const { label, maxSessionSeconds, issuance, externalId } = rest;
    for (const account of selected) {
      ids.push(`${rid}@${account.name}`);
      defs.push({ arn: head + account.id + tail, label, maxSessionSeconds, issuance, externalId, role: rid, account });
    }
  }
  return { accounts, accountsByName, accountsById, ids, defs, templates, withAccount };
};
