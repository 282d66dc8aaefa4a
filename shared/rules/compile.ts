// A policy prepared for fast decisions over many role instances (docs/performance.md): role instances in a fixed
// order (parallel arrays, no object per instance), each condition split into the identity part (claims: evaluated
// once per request) and the target part (role keys: evaluated per listed role instance), each rule's `roles:`
// patterns resolved to the instances they list on the rule's first use, and each target key's values as a table of
// distinct values, so that a target condition is computed once per distinct value rather than once per role. The
// cold start only answers "does this pattern list anything" (config checks), with an early exit. Pure and
// deterministic; cached per policy object.

import { conditionValuesToStrings, parseOperator, type ParsedOperator } from './operators.ts';
import { createListing } from './listing.ts';
import { isTargetKey, roleListing, targetValue, type RoleListing } from './targets.ts';
import type { Policy, RoleDef, Rule } from './types.ts';
import { parseValueTemplate, type ValuePart } from './variables.ts';

/** A role instance made per request (an asserted role); the policy's own are held as parallel arrays. */
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
  /** The policy's role instances the rule's `roles:` patterns list, ascending (resolved on first use). */
  listed(): Int32Array;
  /** The same patterns, for role instances made per request (asserted roles). */
  readonly lists: RoleListing;
}

/** One target key over every role instance: the index of its value in `values`, -1 for none. */
export interface TargetTable {
  readonly ids: Int32Array;
  readonly values: readonly string[];
}

export interface CompiledPolicy {
  /** The role instances: ids and definitions, by index. */
  readonly ids: readonly string[];
  readonly roles: readonly RoleDef[];
  /** The index of the instance with this id. */
  indexOf(id: string): number | undefined;
  /** The indices of the instances with this ARN. */
  withArn(arn: string): readonly number[];
  readonly rules: readonly CompiledRule[];
  /** Some role has a known account or a `broker:role` other than its id, or some rule has a target condition. */
  readonly multiAccount: boolean;
  targetTable(key: string): TargetTable;
  /** Whether one `roles:` pattern lists any instance; with `roleName`, any instance of that role (config checks). */
  listsAny(pattern: string, roleName?: string): boolean;
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

export const compilePolicy = (policy: Policy): CompiledPolicy => compileInstances(Object.keys(policy.roles), Object.values(policy.roles), policy.rules);

const compileInstances = (ids: readonly string[], roles: readonly RoleDef[], policyRules: readonly Rule[]): CompiledPolicy => {
  const size = ids.length;
  const { indexOf, withArn, listsAny, listedBy } = createListing(ids, roles);
  const ruleCache = new Map<string, Int32Array>();
  const listedFor = (patterns: readonly string[]): Int32Array => {
    const key = patterns.join('\n');
    let listed = ruleCache.get(key);
    if (!listed) {
      listed = union(patterns.map(listedBy), size);
      ruleCache.set(key, listed);
    }
    return listed;
  };

  const rules = policyRules.map((rule): CompiledRule => {
    const conditions = compileConditions(rule);
    return {
      rule,
      providers: rule.providers && new Set(rule.providers),
      conditions,
      identity: conditions.filter((c) => !c.target),
      targets: conditions.filter((c) => c.target),
      listed: () => listedFor(rule.roles),
      lists: roleListing(rule.roles),
    };
  });

  const tables = new Map<string, TargetTable>();
  const targetTable = (key: string): TargetTable => {
    let table = tables.get(key);
    if (!table) {
      const index = new Map<string, number>();
      const values = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        const value = targetValue(ids[i] ?? '', roles[i] as RoleDef, key);
        if (value === undefined) {
          values[i] = -1;
          continue;
        }
        let id = index.get(value);
        if (id === undefined) {
          id = index.size;
          index.set(value, id);
        }
        values[i] = id;
      }
      table = { ids: values, values: [...index.keys()] };
      tables.set(key, table);
    }
    return table;
  };
  const multiAccount = roles.some((r) => r.account !== undefined || r.role !== undefined) || rules.some((r) => r.targets.length > 0);
  return { ids, roles, indexOf, withArn, rules, multiAccount, targetTable, listsAny };
};

/** The union of several ascending lists, ascending. */
const union = (lists: readonly Int32Array[], size: number): Int32Array => {
  if (lists.length === 1) return lists[0] ?? new Int32Array(0);
  const marks = new Uint8Array(size);
  let n = 0;
  for (const list of lists) {
    for (const i of list) {
      if (marks[i] === 1) continue;
      marks[i] = 1;
      n++;
    }
  }
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < size && k < n; i++) if (marks[i] === 1) out[k++] = i;
  return out;
};

const cache = new WeakMap<Policy, CompiledPolicy>();

/**
 * A policy over role instances held as arrays (a config's thousands, in order), compiled now: its `roles` record is
 * built only if something reads it (the engine reads the arrays).
 */
export const instancePolicy = (ids: readonly string[], roles: readonly RoleDef[], rules: readonly Rule[]): Policy => {
  let record: Record<string, RoleDef> | undefined;
  const policy: Policy = {
    get roles(): Readonly<Record<string, RoleDef>> {
      if (!record) {
        record = Object.create(null) as Record<string, RoleDef>;
        for (let i = 0; i < ids.length; i++) record[ids[i] ?? ''] = roles[i] as RoleDef;
      }
      return record;
    },
    rules,
  };
  cache.set(policy, compileInstances(ids, roles, rules));
  return policy;
};

/** The compiled form of a policy, built on first use (the config module builds it at load, in the cold start). */
export const compiledPolicy = (policy: Policy): CompiledPolicy => {
  let compiled = cache.get(policy);
  if (!compiled) {
    compiled = compilePolicy(policy);
    cache.set(policy, compiled);
  }
  return compiled;
};
