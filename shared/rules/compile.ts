// A policy prepared once for fast decisions over many role instances (docs/performance.md): role instances in a
// fixed order, each rule's `roles:` patterns resolved to the instances they list, each condition split into the
// identity part (claims: evaluated once per request) and the target part (role keys: evaluated per listed role
// instance), and each target key's values as a table of distinct values, so that a target condition is computed once
// per distinct value rather than once per role. Pure and deterministic; cached per policy object.

import { conditionValuesToStrings, parseOperator, type ParsedOperator } from './operators.ts';
import { likeMatcher } from './like.ts';
import { hasWildcard, isTargetKey, parseRolePattern, roleListing, roleNameOf, targetValue, type RoleListing } from './targets.ts';
import type { Policy, RoleDef, Rule } from './types.ts';
import { parseValueTemplate, type ValuePart } from './variables.ts';

export interface Instance {
  readonly id: string;
  readonly role: RoleDef;
  /** `broker:role`. */
  readonly roleName: string;
  readonly accountName: string | undefined;
}

export interface CompiledCondition {
  readonly operator: string;
  readonly parsed: ParsedOperator | undefined;
  readonly key: string;
  /** The values as written. */
  readonly values: readonly string[];
  /** A key about the role instance (broker:account…, broker:role). */
  readonly target: boolean;
  /** Per value, its parts when it holds a policy variable; undefined when no value does (String… operators only). */
  readonly templates: ReadonlyArray<readonly ValuePart[] | undefined> | undefined;
  /**
   * A target condition without policy variables gives the same answer for a target value on every request: its
   * results per distinct value (1 / 0, -1 not yet known; the last slot is "no value"), filled as they are needed.
   */
  memo: Int8Array | undefined;
}

export interface CompiledRule {
  readonly rule: Rule;
  readonly providers: ReadonlySet<string> | undefined;
  /** In the config's order. */
  readonly conditions: readonly CompiledCondition[];
  /** The conditions on claims (evaluated once per request) and on target keys (per listed role instance). */
  readonly identity: readonly CompiledCondition[];
  readonly targets: readonly CompiledCondition[];
  /** The policy's role instances the rule's `roles:` patterns list, ascending. */
  readonly listed: Int32Array;
  /** The same patterns, for role instances made per request (asserted roles). */
  readonly lists: RoleListing;
}

/** One target key over every role instance: the index of its value in `values`, -1 for none. */
export interface TargetTable {
  readonly ids: Int32Array;
  readonly values: readonly string[];
}

export interface CompiledPolicy {
  readonly instances: readonly Instance[];
  readonly byId: ReadonlyMap<string, number>;
  readonly byArn: ReadonlyMap<string, readonly number[]>;
  readonly rules: readonly CompiledRule[];
  /** Some role has a known account or a `broker:role` other than its id, or some rule has a target condition. */
  readonly multiAccount: boolean;
  targetTable(key: string): TargetTable;
  /** The instances one `roles:` pattern lists (for config checks). */
  listedBy(pattern: string): Int32Array;
}

const STRING_OPERATORS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']);

/** Policy variables apply to String… operators only (other operators' values are checked as numbers, dates, …). */
export const takesPolicyVariables = (operator: string): boolean => {
  const parsed = parseOperator(operator);
  return parsed !== undefined && STRING_OPERATORS.has(parsed.name);
};

export const compileConditions = (rule: Rule): CompiledCondition[] => {
  const out: CompiledCondition[] = [];
  for (const [operator, block] of Object.entries(rule.conditions ?? {})) {
    const parsed = parseOperator(operator);
    const variables = takesPolicyVariables(operator);
    for (const [key, raw] of Object.entries(block)) {
      const values = conditionValuesToStrings(raw);
      const templates = variables ? values.map(parseValueTemplate) : [];
      out.push({ operator, parsed, key, values, target: isTargetKey(key), templates: templates.some((t) => t !== undefined) ? templates : undefined, memo: undefined });
    }
  }
  return out;
};

const instancesOf = (policy: Policy): Instance[] =>
  Object.keys(policy.roles).flatMap((id) => {
    const role = policy.roles[id];
    return role ? [{ id, role, roleName: roleNameOf(id, role), accountName: role.account?.name }] : [];
  });

/** Ascending indices of the instances one `roles:` pattern lists. */
const patternListed = (instances: readonly Instance[], groups: ReadonlyMap<string, readonly number[]>, byId: ReadonlyMap<string, number>, text: string): Int32Array => {
  const pattern = parseRolePattern(text);
  if (pattern.kind === 'id') {
    // Plain ids (configs without accounts) are looked up, not scanned.
    if (!hasWildcard(pattern.id)) return Int32Array.from(byId.has(pattern.id) ? [byId.get(pattern.id) ?? 0] : []);
    const matches = likeMatcher(pattern.id);
    return Int32Array.from(instances.flatMap((instance, i) => (matches(instance.id) ? [i] : [])));
  }
  const role = likeMatcher(pattern.role);
  const account = likeMatcher(pattern.account);
  const out: number[] = [];
  // Instances of one role are contiguous and in order, so the groups give ascending indices.
  for (const [name, indices] of groups) {
    if (!role(name)) continue;
    for (const i of indices) if (account(instances[i]?.accountName ?? '')) out.push(i);
  }
  return Int32Array.from(out);
};

/** The union of several ascending lists, ascending. */
const union = (lists: readonly Int32Array[], size: number): Int32Array => {
  if (lists.length === 1) return lists[0] ?? new Int32Array(0);
  const marks = new Uint8Array(size);
  for (const list of lists) for (const i of list) marks[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (marks[i] === 1) out.push(i);
  return Int32Array.from(out);
};

export const compilePolicy = (policy: Policy): CompiledPolicy => {
  const instances = instancesOf(policy);
  const byId = new Map<string, number>();
  const byArn = new Map<string, number[]>();
  instances.forEach((instance, i) => {
    byId.set(instance.id, i);
    const same = byArn.get(instance.role.arn);
    if (same) same.push(i);
    else byArn.set(instance.role.arn, [i]);
  });
  const groups = new Map<string, number[]>();
  instances.forEach((instance, i) => {
    const group = groups.get(instance.roleName);
    if (group) group.push(i);
    else groups.set(instance.roleName, [i]);
  });
  const patterns = new Map<string, Int32Array>();
  const listedBy = (text: string): Int32Array => {
    let listed = patterns.get(text);
    if (!listed) {
      listed = patternListed(instances, groups, byId, text);
      patterns.set(text, listed);
    }
    return listed;
  };
  const lists = new Map<string, Int32Array>();
  const rules = policy.rules.map((rule): CompiledRule => {
    const conditions = compileConditions(rule);
    const key = rule.roles.join('\n');
    let listed = lists.get(key);
    if (!listed) {
      listed = union(rule.roles.map(listedBy), instances.length);
      lists.set(key, listed);
    }
    return {
      rule,
      providers: rule.providers && new Set(rule.providers),
      conditions,
      identity: conditions.filter((c) => !c.target),
      targets: conditions.filter((c) => c.target),
      listed,
      lists: roleListing(rule.roles),
    };
  });
  const tables = new Map<string, TargetTable>();
  const targetTable = (key: string): TargetTable => {
    let table = tables.get(key);
    if (!table) {
      const index = new Map<string, number>();
      const ids = new Int32Array(instances.length);
      instances.forEach((instance, i) => {
        const value = targetValue(instance.id, instance.role, key);
        if (value === undefined) {
          ids[i] = -1;
          return;
        }
        let id = index.get(value);
        if (id === undefined) {
          id = index.size;
          index.set(value, id);
        }
        ids[i] = id;
      });
      table = { ids, values: [...index.keys()] };
      tables.set(key, table);
    }
    return table;
  };
  const multiAccount = instances.some((i) => i.accountName !== undefined || i.roleName !== i.id) || rules.some((r) => r.targets.length > 0);
  return { instances, byId, byArn, rules, multiAccount, targetTable, listedBy };
};

const cache = new WeakMap<Policy, CompiledPolicy>();

/** The compiled form of a policy, built on first use (the config module builds it at load, in the cold start). */
export const compiledPolicy = (policy: Policy): CompiledPolicy => {
  let compiled = cache.get(policy);
  if (!compiled) {
    compiled = compilePolicy(policy);
    cache.set(policy, compiled);
  }
  return compiled;
};
