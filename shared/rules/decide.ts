// The decision: claims + policy → granted roles, with a trace of every rule and every condition.
// Default deny; deny overrides allow; the first matching allow rule in file order supplies `session`.
// A "no" is a value, never an exception: tests, the audit record and `explain` all read the same thing.

import { getClaim } from './claims.ts';
import { conditionValuesToStrings, evaluateCondition, parseOperator } from './operators.ts';
import { buildSession, type SessionFailureCode, type SessionParams } from './session.ts';
import type { Claims, Policy, RoleDef, Rule } from './types.ts';

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly claimValues: readonly string[];
  readonly result: boolean;
}

export interface RuleTrace {
  readonly ruleId: string;
  readonly effect: 'allow' | 'deny';
  readonly roles: readonly string[];
  /** false when the rule's `providers` excludes this identity's provider: its conditions were not evaluated. */
  readonly providerMatch: boolean;
  readonly matched: boolean;
  readonly conditions: readonly ConditionTrace[];
}

export interface Grant {
  readonly roleId: string;
  readonly role: RoleDef;
  /** The first matching allow rule that lists the role: it supplies the session. */
  readonly rule: Rule;
}

export interface RuleDecision {
  readonly granted: readonly Grant[];
  /** Roles some allow rule granted but a matching deny rule removed. */
  readonly denied: readonly string[];
  readonly trace: readonly RuleTrace[];
}

const listsRole = (rule: Rule, roleId: string): boolean => rule.roles.includes('*') || rule.roles.includes(roleId);

export const evaluateRule = (rule: Rule, provider: string, claims: Claims): RuleTrace => {
  const providerMatch = rule.providers === undefined || rule.providers.includes(provider);
  const conditions: ConditionTrace[] = [];
  if (providerMatch) {
    for (const [operator, block] of Object.entries(rule.conditions ?? {})) {
      const parsed = parseOperator(operator);
      for (const [key, raw] of Object.entries(block)) {
        const values = conditionValuesToStrings(raw);
        const claimValues = getClaim(claims, key);
        // An operator the engine does not know never matches (the config check rejects it first).
        const result = parsed !== undefined && evaluateCondition(parsed, claimValues, values);
        conditions.push({ operator, key, values, claimValues: [...claimValues], result });
      }
    }
  }
  const matched = providerMatch && conditions.every((c) => c.result);
  return { ruleId: rule.id, effect: rule.effect, roles: rule.roles, providerMatch, matched, conditions };
};

export const decideRoles = (policy: Policy, provider: string, claims: Claims): RuleDecision => {
  const trace = policy.rules.map((rule) => evaluateRule(rule, provider, claims));
  const matchedRules = policy.rules.filter((_rule, i) => trace[i]?.matched === true);
  const allows = matchedRules.filter((r) => r.effect === 'allow');
  const denies = matchedRules.filter((r) => r.effect === 'deny');
  const granted: Grant[] = [];
  const denied: string[] = [];
  for (const roleId of Object.keys(policy.roles)) {
    const rule = allows.find((r) => listsRole(r, roleId));
    if (!rule) continue;
    if (denies.some((r) => listsRole(r, roleId))) {
      denied.push(roleId);
      continue;
    }
    const role = policy.roles[roleId];
    if (role) granted.push({ roleId, role, rule });
  }
  return { granted, denied, trace };
};

export interface RoleOutcome {
  readonly id: string;
  readonly arn: string;
  readonly label?: string | undefined;
  readonly ruleId: string;
  readonly maxSessionSeconds: number;
  readonly issuance: RoleDef['issuance'];
  readonly session: SessionParams;
}

export type DenyCode = 'NO_ROLE_GRANTED' | 'ROLE_NOT_GRANTED' | 'DENIED_BY_RULE' | 'CLAIM_UNREADABLE' | SessionFailureCode;

export type Decision =
  | { readonly outcome: 'grant'; readonly roles: readonly RoleOutcome[]; readonly trace: readonly RuleTrace[]; readonly notes: readonly string[] }
  | { readonly outcome: 'deny'; readonly code: DenyCode; readonly detail: string; readonly trace: readonly RuleTrace[]; readonly notes: readonly string[] };

export interface DecideInput {
  readonly policy: Policy;
  readonly provider: string;
  readonly claims: Claims;
  /** Ask for one role, by id or by ARN. */
  readonly role?: { readonly id?: string | undefined; readonly arn?: string | undefined } | undefined;
  readonly requestedSeconds?: number | undefined;
  readonly defaultSeconds: number;
  readonly idpSecondsLeft?: number | undefined;
  /** Seconds left of the presenting broker session (CLI sign-in). */
  readonly sessionSecondsLeft?: number | undefined;
  /**
   * Claims the policy uses (conditions, templates, mappings) whose values could not all be read (a nested array,
   * an object, a SAML nil with content): the identity is refused, whatever the rules say.
   */
  readonly unreadableClaims?: readonly string[] | undefined;
}

/** Rules, then the requested role (if any), then session parameters for each role that remains. */
export const decide = (input: DecideInput): Decision => {
  const { granted, denied, trace } = decideRoles(input.policy, input.provider, input.claims);
  const notes: string[] = [];
  const unreadable = input.unreadableClaims ?? [];
  // A value the engine cannot read is a value no deny rule can see: refuse rather than fail open.
  if (unreadable.length > 0) {
    for (const name of unreadable) notes.push(`claim ${JSON.stringify(name)} holds a value the broker cannot read`);
    return { outcome: 'deny', code: 'CLAIM_UNREADABLE', detail: `claims the rules use hold values the broker cannot read: ${unreadable.join(', ')}`, trace, notes };
  }
  let candidates = granted;
  const wanted = input.role;
  if (wanted && (wanted.id !== undefined || wanted.arn !== undefined)) {
    const matches = (roleId: string): boolean => {
      const role = input.policy.roles[roleId];
      return (wanted.id === undefined || roleId === wanted.id) && (wanted.arn === undefined || role?.arn === wanted.arn);
    };
    candidates = granted.filter((g) => matches(g.roleId)).slice(0, 1);
    if (candidates.length === 0) {
      const wasDenied = denied.some(matches);
      return {
        outcome: 'deny',
        code: wasDenied ? 'DENIED_BY_RULE' : 'ROLE_NOT_GRANTED',
        detail: wasDenied ? 'a deny rule refuses the requested role' : 'the requested role is not granted',
        trace,
        notes,
      };
    }
  } else if (granted.length === 0) {
    return denied.length > 0
      ? { outcome: 'deny', code: 'DENIED_BY_RULE', detail: `deny rules refuse ${denied.join(', ')}`, trace, notes }
      : { outcome: 'deny', code: 'NO_ROLE_GRANTED', detail: 'no allow rule matched', trace, notes };
  }

  const roles: RoleOutcome[] = [];
  let firstFailure: { code: SessionFailureCode; detail: string } | undefined;
  for (const grant of candidates) {
    const built = buildSession({
      role: grant.role,
      spec: grant.rule.session,
      claims: input.claims,
      requestedSeconds: input.requestedSeconds,
      defaultSeconds: input.defaultSeconds,
      idpSecondsLeft: input.idpSecondsLeft,
      sessionSecondsLeft: input.sessionSecondsLeft,
    });
    if (!built.ok) {
      firstFailure ??= built;
      notes.push(`role ${grant.roleId}: ${built.code}: ${built.detail}`);
      continue;
    }
    for (const note of built.notes) notes.push(`role ${grant.roleId}: ${note}`);
    roles.push({
      id: grant.roleId,
      arn: grant.role.arn,
      label: grant.role.label,
      ruleId: grant.rule.id,
      maxSessionSeconds: grant.role.maxSessionSeconds,
      issuance: grant.role.issuance,
      session: built.session,
    });
  }
  if (roles.length === 0 && firstFailure) return { outcome: 'deny', code: firstFailure.code, detail: firstFailure.detail, trace, notes };
  return { outcome: 'grant', roles, trace, notes };
};
