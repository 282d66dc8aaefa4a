// The decision: claims + policy → granted role instances, with a trace of every rule and every condition.
// Default deny; deny overrides allow, per role instance; the first matching allow rule in file order supplies
// `session`. A "no" is a value, never an exception: tests, the audit record and `explain` all read the same thing.

import { compileConditions, compiledPolicy, type CompiledPolicy, type Instance } from './compile.ts';
import { evaluatePolicy, ruleTraceOf, TRACE_SAMPLE, type RuleTrace } from './evaluate.ts';
import { buildSession, type SessionFailureCode, type SessionParams, type SessionResult } from './session.ts';
import { roleNameOf } from './targets.ts';
import type { Account, Claims, Policy, RoleDef, Rule } from './types.ts';

export type { ConditionTrace, InstanceTrace, RuleTrace } from './evaluate.ts';

export interface Grant {
  readonly roleId: string;
  readonly role: RoleDef;
  /** The first matching allow rule that lists the role: it supplies the session. */
  readonly rule: Rule;
}

/** A role instance some allow rule granted and a deny rule removed. */
export interface DeniedRole {
  readonly id: string;
  readonly ruleId: string;
}

export interface RuleDecision {
  readonly granted: readonly Grant[];
  /** Roles some allow rule granted but a matching deny rule removed. */
  readonly denied: readonly string[];
  /** The same, with the deny rule that removed each. */
  readonly deniedBy: readonly DeniedRole[];
  readonly trace: readonly RuleTrace[];
  /** Claims with too many values to substitute into a policy variable (the decision refuses the identity). */
  readonly tooMany: readonly string[];
}

/** One role instance asked for, by id or ARN (both: both must match). */
export interface RoleRequest {
  readonly id?: string | undefined;
  readonly arn?: string | undefined;
}

export interface DecideRolesOptions {
  /** Consider only the role instances this request names. */
  readonly role?: RoleRequest | undefined;
  /** Role instances made for this identity (assertedRoles), by id. */
  readonly asserted?: ReadonlyArray<readonly [string, RoleDef]> | undefined;
}

export const evaluateRule = (rule: Rule, provider: string, claims: Claims): RuleTrace => ruleTraceOf(rule, provider, compileConditions(rule), claims);

const asInstance = ([id, role]: readonly [string, RoleDef]): Instance => ({ id, role, roleName: roleNameOf(id, role), accountName: role.account?.name });

const isRequest = (wanted: RoleRequest | undefined): wanted is RoleRequest => wanted !== undefined && (wanted.id !== undefined || wanted.arn !== undefined);

/** The instance indices a role request names: the policy's (by id or ARN), then the dynamic ones. */
const requested = (compiled: CompiledPolicy, dynamic: readonly Instance[], wanted: RoleRequest): number[] => {
  const matches = (id: string | undefined, role: RoleDef | undefined): boolean =>
    id !== undefined && role !== undefined && (wanted.id === undefined || id === wanted.id) && (wanted.arn === undefined || role.arn === wanted.arn);
  const fromPolicy = wanted.id !== undefined ? [compiled.indexOf(wanted.id) ?? -1] : compiled.withArn(wanted.arn ?? '');
  const n = compiled.ids.length;
  return [...fromPolicy.filter((i) => i >= 0 && matches(compiled.ids[i], compiled.roles[i])), ...dynamic.flatMap((d, k) => (matches(d.id, d.role) ? [n + k] : []))];
};

export const decideRoles = (policy: Policy, provider: string, claims: Claims, options: DecideRolesOptions = {}): RuleDecision => {
  const compiled = compiledPolicy(policy);
  const dynamic = (options.asserted ?? []).map(asInstance);
  const only = isRequest(options.role) ? requested(compiled, dynamic, options.role) : undefined;
  const { trace, allowBy, denyBy, tooMany } = evaluatePolicy({ compiled, provider, claims, dynamic, only });
  const n = compiled.ids.length;
  const granted: Grant[] = [];
  const deniedBy: DeniedRole[] = [];
  for (let i = 0; i < allowBy.length; i++) {
    const allow = allowBy[i] ?? -1;
    if (allow < 0) continue;
    const id = i < n ? compiled.ids[i] : dynamic[i - n]?.id;
    const role = i < n ? compiled.roles[i] : dynamic[i - n]?.role;
    const rule = compiled.rules[allow]?.rule;
    if (id === undefined || !role || !rule) continue;
    const deny = denyBy[i] ?? -1;
    if (deny >= 0) deniedBy.push({ id, ruleId: compiled.rules[deny]?.rule.id ?? '' });
    else granted.push({ roleId: id, role, rule });
  }
  return { granted, denied: deniedBy.map((d) => d.id), deniedBy, trace, tooMany };
};

export interface RoleOutcome {
  readonly id: string;
  readonly arn: string;
  readonly label?: string | undefined;
  readonly ruleId: string;
  readonly maxSessionSeconds: number;
  readonly issuance: RoleDef['issuance'];
  readonly session: SessionParams;
  /** The known account the role is in. */
  readonly account?: Account | undefined;
}

export type DenyCode = 'NO_ROLE_GRANTED' | 'ROLE_NOT_GRANTED' | 'DENIED_BY_RULE' | 'CLAIM_UNREADABLE' | SessionFailureCode;

interface DecisionBase {
  readonly trace: readonly RuleTrace[];
  readonly notes: readonly string[];
  /** Role instances an allow rule granted and a deny rule removed (for explain). */
  readonly denied?: readonly DeniedRole[];
}

export type Decision =
  | (DecisionBase & { readonly outcome: 'grant'; readonly roles: readonly RoleOutcome[] })
  | (DecisionBase & { readonly outcome: 'deny'; readonly code: DenyCode; readonly detail: string });

export interface DecideInput {
  readonly policy: Policy;
  readonly provider: string;
  readonly claims: Claims;
  /** Ask for one role, by id or by ARN. */
  readonly role?: RoleRequest | undefined;
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
  /** Roles the IdP asserted for this identity (assertedRoles), already filtered by the provider's allow list and accounts. */
  readonly assertedRoles?: ReadonlyArray<readonly [string, RoleDef]> | undefined;
  /** What the identity's reading noted (ignored asserted values): carried into the decision's notes. */
  readonly identityNotes?: readonly string[] | undefined;
}

/** A list of ids for a message: the first few, then a count. */
const some = (ids: readonly string[]): string => (ids.length <= TRACE_SAMPLE ? ids.join(', ') : `${ids.slice(0, TRACE_SAMPLE).join(', ')} and ${ids.length - TRACE_SAMPLE} more`);

/**
 * Session parameters for each granted role. They depend on the rule, the claims and the role's duration bounds only:
 * built once per combination, and what was noted about one is noted once, naming its roles.
 */
const withSessions = (grants: readonly Grant[], input: DecideInput, notes: string[]): { roles: RoleOutcome[]; firstFailure?: { code: SessionFailureCode; detail: string } } => {
  const roles: RoleOutcome[] = [];
  let firstFailure: { code: SessionFailureCode; detail: string } | undefined;
  const sessions = new Map<string, { readonly built: SessionResult; readonly roleIds: string[] }>();
  for (const grant of grants) {
    const key = `${grant.rule.id}\u0000${grant.role.maxSessionSeconds}\u0000${grant.role.issuance}`;
    let entry = sessions.get(key);
    if (!entry) {
      const { claims, requestedSeconds, defaultSeconds, idpSecondsLeft, sessionSecondsLeft } = input;
      entry = { built: buildSession({ role: grant.role, spec: grant.rule.session, claims, requestedSeconds, defaultSeconds, idpSecondsLeft, sessionSecondsLeft }), roleIds: [] };
      sessions.set(key, entry);
    }
    entry.roleIds.push(grant.roleId);
    const { built } = entry;
    if (!built.ok) {
      firstFailure ??= built;
      continue;
    }
    const { role } = grant;
    roles.push({ id: grant.roleId, arn: role.arn, label: role.label, ruleId: grant.rule.id, maxSessionSeconds: role.maxSessionSeconds, issuance: role.issuance, session: built.session, ...(role.account === undefined ? {} : { account: role.account }) });
  }
  for (const { built, roleIds } of sessions.values()) {
    const who = `role${roleIds.length === 1 ? '' : 's'} ${some(roleIds)}`;
    if (!built.ok) notes.push(`${who}: ${built.code}: ${built.detail}`);
    else for (const note of built.notes) notes.push(`${who}: ${note}`);
  }
  return { roles, ...(firstFailure ? { firstFailure } : {}) };
};

/** Rules, then the requested role (if any), then session parameters for each role that remains. */
export const decide = (input: DecideInput): Decision => {
  const wanted = isRequest(input.role) ? input.role : undefined;
  const { granted, denied, deniedBy, trace, tooMany } = decideRoles(input.policy, input.provider, input.claims, { role: wanted, asserted: input.assertedRoles });
  const notes: string[] = [...(input.identityNotes ?? [])];
  const base = { trace, notes, ...(deniedBy.length > 0 ? { denied: deniedBy } : {}) };
  // A value the engine cannot read is a value no deny rule can see: refuse rather than fail open.
  const unreadable = input.unreadableClaims ?? [];
  if (unreadable.length > 0 || tooMany.length > 0) {
    for (const name of unreadable) notes.push(`claim ${JSON.stringify(name)} holds a value the broker cannot read`);
    for (const name of tooMany) notes.push(`claim ${JSON.stringify(name)} holds too many values to substitute into a policy variable`);
    return { ...base, outcome: 'deny', code: 'CLAIM_UNREADABLE', detail: `claims the rules use hold values the broker cannot read: ${[...unreadable, ...tooMany].join(', ')}` };
  }
  let candidates = granted;
  if (wanted) {
    candidates = granted.slice(0, 1);
    if (candidates.length === 0) {
      const wasDenied = denied.length > 0;
      return {
        ...base,
        outcome: 'deny',
        code: wasDenied ? 'DENIED_BY_RULE' : 'ROLE_NOT_GRANTED',
        detail: wasDenied ? 'a deny rule refuses the requested role' : 'the requested role is not granted',
      };
    }
  } else if (granted.length === 0) {
    return denied.length > 0
      ? { ...base, outcome: 'deny', code: 'DENIED_BY_RULE', detail: `deny rules refuse ${some(denied)}` }
      : { ...base, outcome: 'deny', code: 'NO_ROLE_GRANTED', detail: 'no allow rule matched' };
  }

  const { roles, firstFailure } = withSessions(candidates, input, notes);
  if (roles.length === 0 && firstFailure) return { ...base, outcome: 'deny', code: firstFailure.code, detail: firstFailure.detail };
  return { ...base, outcome: 'grant', roles };
};
