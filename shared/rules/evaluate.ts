// One request against a compiled policy: every rule's identity conditions once, then its target conditions for
// each role instance it lists (docs/rules.md, "Target keys"). Deny overrides allow per role instance; the first
// matching allow rule in file order is remembered for each instance (it supplies the session). The trace is
// collapsed per rule: how many role instances it listed and matched, and per target condition the values compared.

import { getClaim } from './claim-sets.ts';
import type { CompiledCondition, CompiledPolicy, CompiledRule, Instance } from './compile.ts';
import { compileLike, type LikePattern } from './like.ts';
import { evaluateCondition } from './operators.ts';
import { targetValue } from './targets.ts';
import type { Claims, Rule } from './types.ts';
import { substitute } from './variables.ts';

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  /** The condition's values as written. */
  readonly values: readonly string[];
  /** The claim's values; for a target key, the distinct values of the role instances it was compared with. */
  readonly claimValues: readonly string[];
  /** For a target key: it held for at least one role instance. */
  readonly result: boolean;
  /** The values once policy variables were substituted (present only when the condition has any). */
  readonly substituted?: readonly string[];
  /** Target keys only: for how many role instances it was evaluated, how many it held for, and their values. */
  readonly target?: { readonly evaluated: number; readonly held: number; readonly heldValues: readonly string[] };
}

export interface InstanceTrace {
  /** Role instances the rule's `roles:` list (of those considered: one when a role was asked for). */
  readonly listed: number;
  /** Of those, the ones every target condition held for. */
  readonly matched: number;
  /** The first few matched ids. */
  readonly sample: readonly string[];
}

export interface RuleTrace {
  readonly ruleId: string;
  readonly effect: 'allow' | 'deny';
  readonly roles: readonly string[];
  /** false when the rule's `providers` excludes this identity's provider: its conditions were not evaluated. */
  readonly providerMatch: boolean;
  /** Its identity conditions held (and, with target conditions, they held for at least one role instance). */
  readonly matched: boolean;
  readonly conditions: readonly ConditionTrace[];
  /** Policies with accounts, role templates, target keys or asserted roles: the role instances of this rule. */
  readonly instances?: InstanceTrace;
}

/** How many values or ids a trace names before it only counts. */
export const TRACE_SAMPLE = 8;

interface Resolved {
  readonly texts: readonly string[];
  readonly like: readonly LikePattern[] | undefined;
}

/** The condition's values for this identity; claims whose values were too many to substitute are added to `tooMany`. */
const resolve = (cond: CompiledCondition, claims: Claims, tooMany: Set<string>): Resolved => {
  const templates = cond.templates;
  if (templates === undefined) return { texts: cond.values, like: undefined };
  const texts: string[] = [];
  const like: LikePattern[] = [];
  cond.values.forEach((value, i) => {
    const parts = templates[i];
    if (parts === undefined) {
      texts.push(value);
      like.push(compileLike(value));
      return;
    }
    const result = substitute(parts, claims);
    if (!result.ok) {
      for (const claim of result.claims) tooMany.add(claim);
      return;
    }
    for (const alt of result.alternatives) {
      texts.push(alt.text);
      like.push(alt.like);
    }
  });
  return { texts, like };
};

/** An unknown operator never holds; a templated condition left with no value is false, negated operators too. */
const holds = (cond: CompiledCondition, resolved: Resolved, values: readonly string[]): boolean =>
  cond.parsed !== undefined && !(cond.templates !== undefined && resolved.texts.length === 0) && evaluateCondition(cond.parsed, values, resolved.texts, resolved.like);

const traceOf = (cond: CompiledCondition, resolved: Resolved, claimValues: readonly string[], result: boolean): ConditionTrace => ({
  operator: cond.operator,
  key: cond.key,
  values: cond.values,
  claimValues,
  result,
  ...(cond.templates === undefined ? {} : { substituted: resolved.texts }),
});

/** A rule's conditions over the claims alone (target keys read as claims, so missing): the trace of one rule. */
export const evaluateConditions = (conditions: readonly CompiledCondition[], claims: Claims, tooMany = new Set<string>()): ConditionTrace[] =>
  conditions.map((cond) => {
    const resolved = resolve(cond, claims, tooMany);
    const claimValues = [...getClaim(claims, cond.key)];
    return traceOf(cond, resolved, claimValues, holds(cond, resolved, claimValues));
  });

export interface EvaluationInput {
  readonly compiled: CompiledPolicy;
  readonly provider: string;
  readonly claims: Claims;
  /** Role instances made for this request (asserted roles); their indices follow the policy's own. */
  readonly dynamic: readonly Instance[];
  /** Consider only these instances (a role was asked for), by index; undefined: all. */
  readonly only?: readonly number[] | undefined;
}

export interface Evaluation {
  readonly trace: readonly RuleTrace[];
  /** Per instance index: the first matching allow rule that lists it (its index in the policy), or -1. */
  readonly allowBy: Int32Array;
  /** Per instance index: the first matching deny rule that lists it, or -1. */
  readonly denyBy: Int32Array;
  /** Claims with too many values to substitute into a policy variable (the decision refuses). */
  readonly tooMany: readonly string[];
}

interface TargetCheck {
  readonly cond: CompiledCondition;
  readonly resolved: Resolved;
  readonly table: { readonly ids: Int32Array; readonly values: readonly string[] };
  readonly memo: Int8Array;
  readonly seen: Uint8Array;
  evaluated: number;
  held: number;
}

const targetCheck = (compiled: CompiledPolicy, cond: CompiledCondition, resolved: Resolved): TargetCheck => {
  const table = compiled.targetTable(cond.key);
  const size = table.values.length + 1;
  // Without policy variables the answer per value is the same on every request: kept on the condition.
  const memo = cond.templates === undefined ? (cond.memo ??= new Int8Array(size).fill(-1)) : new Int8Array(size).fill(-1);
  return { cond, resolved, table, memo, seen: new Uint8Array(size), evaluated: 0, held: 0 };
};

/** Whether every target condition holds for the policy's instance `index`. */
const staticHolds = (checks: readonly TargetCheck[], index: number): boolean => {
  for (const check of checks) {
    const id = check.table.ids[index] ?? -1;
    const slot = id < 0 ? check.table.values.length : id;
    let result = check.memo[slot] ?? -1;
    if (result === -1) {
      result = holds(check.cond, check.resolved, id < 0 ? [] : [check.table.values[id] ?? '']) ? 1 : 0;
      check.memo[slot] = result;
    }
    check.seen[slot] = 1;
    check.evaluated++;
    if (result === 0) return false;
    check.held++;
  }
  return true;
};

/** The same for a role instance made per request (no table: evaluated directly). */
const dynamicHolds = (checks: readonly TargetCheck[], instance: Instance, compared: ReadonlyArray<Map<string, boolean>>): boolean =>
  checks.every((check, k) => {
    const value = targetValue(instance.id, instance.role, check.cond.key);
    check.evaluated++;
    const result = holds(check.cond, check.resolved, value === undefined ? [] : [value]);
    if (value !== undefined) compared[k]?.set(value, result || compared[k]?.get(value) === true);
    if (result) check.held++;
    return result;
  });

const EMPTY = new Int32Array(0);

/** A target condition's trace: the values it was compared with (a few), how often it was evaluated and held. */
const targetTrace = (cond: CompiledCondition, check: TargetCheck | undefined, compared: ReadonlyMap<string, boolean> | undefined): ConditionTrace => {
  if (!check) return { operator: cond.operator, key: cond.key, values: cond.values, claimValues: [], result: false };
  const values = check.table.values.filter((_v, slot) => check.seen[slot] === 1);
  const heldValues = check.table.values.filter((_v, slot) => check.seen[slot] === 1 && check.memo[slot] === 1);
  for (const [v, held] of compared ?? []) {
    if (!values.includes(v)) values.push(v);
    if (held && !heldValues.includes(v)) heldValues.push(v);
  }
  return {
    ...traceOf(cond, check.resolved, values.slice(0, TRACE_SAMPLE), check.held > 0),
    target: { evaluated: check.evaluated, held: check.held, heldValues: heldValues.slice(0, TRACE_SAMPLE) },
  };
};

interface RuleRun {
  readonly input: EvaluationInput;
  readonly rule: CompiledRule;
  readonly index: number;
  /** allowBy or denyBy, as the rule's effect says. */
  readonly marks: Int32Array;
  readonly tooMany: Set<string>;
  readonly withInstances: boolean;
}

/** One rule: identity conditions once, then target conditions for each role instance it lists; the matches marked. */
const runRule = ({ input, rule: r, index: ruleIndex, marks, tooMany, withInstances }: RuleRun): RuleTrace => {
  const { compiled, claims, dynamic, only } = input;
  const n = compiled.ids.length;
  const base = { ruleId: r.rule.id, effect: r.rule.effect, roles: r.rule.roles };
  if (r.providers !== undefined && !r.providers.has(input.provider)) return { ...base, providerMatch: false, matched: false, conditions: [] };
  const identityTraces = evaluateConditions(r.identity, claims, tooMany);
  const identityOk = identityTraces.every((c) => c.result);
  const checks = identityOk ? r.targets.map((cond) => targetCheck(compiled, cond, resolve(cond, claims, tooMany))) : [];
  const compared = checks.map(() => new Map<string, boolean>());
  // The roles a rule lists are resolved only when its identity conditions hold; an asked-for role is matched directly.
  const listsStatic = (i: number): boolean => {
    const role = compiled.roles[i];
    const id = compiled.ids[i] ?? '';
    return role !== undefined && r.lists(id, role.role ?? id, role.account?.name);
  };
  const statics = only === undefined ? (identityOk ? r.listed() : EMPTY) : only.filter((i) => i < n && listsStatic(i));
  const dynamics = dynamic.flatMap((d, k) => (r.lists(d.id, d.roleName, d.accountName) && (only === undefined || only.includes(n + k)) ? [k] : []));
  const sample: string[] = [];
  let matched = 0;
  const mark = (index: number, id: string): void => {
    matched++;
    if (sample.length < TRACE_SAMPLE) sample.push(id);
    if ((marks[index] ?? -1) < 0) marks[index] = ruleIndex;
  };
  if (identityOk) {
    for (const index of statics) if (staticHolds(checks, index)) mark(index, compiled.ids[index] ?? '');
    for (const k of dynamics) {
      const instance = dynamic[k];
      if (instance && dynamicHolds(checks, instance, compared)) mark(n + k, instance.id);
    }
  }
  // Conditions in the config's order, as written.
  const traces = new Map<CompiledCondition, ConditionTrace>();
  r.identity.forEach((c, i) => traces.set(c, identityTraces[i] as ConditionTrace));
  r.targets.forEach((c, k) => traces.set(c, targetTrace(c, checks[k], compared[k])));
  const conditions = r.conditions.map((c) => traces.get(c) as ConditionTrace);
  const instances = withInstances && identityOk ? { instances: { listed: statics.length + dynamics.length, matched, sample } } : {};
  return { ...base, providerMatch: true, matched: identityOk && (r.targets.length === 0 || matched > 0), conditions, ...instances };
};

export const evaluatePolicy = (input: EvaluationInput): Evaluation => {
  const size = input.compiled.ids.length + input.dynamic.length;
  const allowBy = new Int32Array(size).fill(-1);
  const denyBy = new Int32Array(size).fill(-1);
  const tooMany = new Set<string>();
  const withInstances = input.compiled.multiAccount || input.dynamic.length > 0;
  const trace = input.compiled.rules.map((rule, index) => runRule({ input, rule, index, marks: rule.rule.effect === 'allow' ? allowBy : denyBy, tooMany, withInstances }));
  return { trace, allowBy, denyBy, tooMany: [...tooMany] };
};

/** One rule evaluated on its own over the claims (no role instances): its trace. */
export const ruleTraceOf = (rule: Rule, provider: string, conditions: readonly CompiledCondition[], claims: Claims): RuleTrace => {
  const providerMatch = rule.providers === undefined || rule.providers.includes(provider);
  const traces = providerMatch ? evaluateConditions(conditions, claims) : [];
  return { ruleId: rule.id, effect: rule.effect, roles: rule.roles, providerMatch, matched: providerMatch && traces.every((c) => c.result), conditions: traces };
};
