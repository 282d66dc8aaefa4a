// The `explain` view of a decision: the JSON object of docs/rules.md and a terminal rendering of the same value.
// With many role instances the trace stays readable: one entry per rule (how many roles it listed and matched, a
// few of their ids, and per target condition the values compared), never one line per role and rule.

import { isTargetKey, TRACE_SAMPLE, type ConditionTrace, type Decision, type DeniedRole, type RoleOutcome, type RuleTrace } from '../rules/index.ts';

/** A rules decision, or the refusal of the identity proof itself (bad token or assertion) before any rule ran. */
export type Explained =
  | Decision
  | { readonly outcome: 'deny'; readonly code: string; readonly detail: string; readonly trace: readonly RuleTrace[]; readonly notes: readonly string[]; readonly denied?: readonly DeniedRole[] };

export interface ExplainedRole {
  readonly id: string;
  readonly arn: string;
  readonly ruleId: string;
  readonly account?: { readonly id: string; readonly name: string; readonly label?: string | undefined };
  readonly session: {
    readonly name: string;
    readonly sourceIdentity?: string | undefined;
    readonly tags: Readonly<Record<string, string>>;
    readonly transitiveTags: readonly string[];
    readonly durationSeconds: number;
    readonly durationBoundBy: string;
    readonly policyArns: readonly string[];
    readonly policy?: string | undefined;
  };
}

export interface ExplainJson {
  readonly outcome: 'grant' | 'deny';
  readonly code?: string;
  readonly detail?: string;
  readonly roles: readonly ExplainedRole[];
  /** Role instances an allow rule granted and a deny rule removed, with that deny rule. */
  readonly denied: readonly DeniedRole[];
  readonly notes: readonly string[];
  readonly trace: readonly RuleTrace[];
}

export const accountView = (role: Pick<RoleOutcome, 'account'>): ExplainedRole['account'] =>
  role.account === undefined ? undefined : { id: role.account.id, name: role.account.name, label: role.account.label };

const explainedRole = (r: RoleOutcome): ExplainedRole => ({
  id: r.id,
  arn: r.arn,
  ruleId: r.ruleId,
  ...(r.account === undefined ? {} : { account: accountView(r) }),
  session: {
    name: r.session.name,
    sourceIdentity: r.session.sourceIdentity,
    tags: r.session.tags,
    transitiveTags: r.session.transitiveTags,
    durationSeconds: r.session.durationSeconds,
    durationBoundBy: r.session.durationBoundBy,
    policyArns: r.session.policyArns,
    policy: r.session.policy,
  },
});

export const explainJson = (decision: Explained): ExplainJson => {
  const denied = decision.denied ?? [];
  if (decision.outcome === 'deny') {
    return { outcome: 'deny', code: decision.code, detail: decision.detail, roles: [], denied, notes: decision.notes, trace: decision.trace };
  }
  return { outcome: 'grant', roles: decision.roles.map(explainedRole), denied, notes: decision.notes, trace: decision.trace };
};

const mark = (ok: boolean): string => (ok ? '✔' : '✘');

/** A list for a line of text: the first few items, then a count. */
const some = (items: readonly string[], total = items.length): string => {
  const shown = items.slice(0, TRACE_SAMPLE).join(', ');
  return total > TRACE_SAMPLE ? `${shown}, … (${total - Math.min(TRACE_SAMPLE, items.length)} more)` : shown;
};

/** A condition on the role that was never evaluated: the rule's identity conditions had already failed. */
const unevaluated = (c: ConditionTrace): boolean => c.target === undefined && isTargetKey(c.key);

const conditionLine = (c: ConditionTrace): string => {
  const compared = c.substituted === undefined ? '' : ` → ${JSON.stringify(c.substituted)}`;
  if (unevaluated(c)) return `    · ${c.operator} ${c.key} ${JSON.stringify(c.values)}  — not evaluated (the identity conditions failed)`;
  if (c.target === undefined) {
    const actual = c.claimValues.length === 0 ? '(missing)' : JSON.stringify(c.claimValues);
    return `    ${mark(c.result)} ${c.operator} ${c.key} ${JSON.stringify(c.values)}${compared}  — claim: ${actual}`;
  }
  const { evaluated, held, heldValues } = c.target;
  if (evaluated === 0) return `    · ${c.operator} ${c.key} ${JSON.stringify(c.values)}${compared}  — not evaluated`;
  const values = c.claimValues.length === 0 ? '(missing)' : some(c.claimValues.map((v) => JSON.stringify(v)));
  const heldNote = held > 0 && held < evaluated && heldValues.length > 0 ? ` (where ${some(heldValues.map((v) => JSON.stringify(v)))})` : '';
  return `    ${mark(held > 0)} ${c.operator} ${c.key} ${JSON.stringify(c.values)}${compared}  — role values: ${values}; held for ${held} of ${evaluated} role(s)${heldNote}`;
};

/** Above this many rules, a rule that did not match takes one line, naming the conditions that failed it. */
const BRIEF_FROM = 20;

const ruleLines = (rule: RuleTrace, brief: boolean): string[] => {
  const head = `${mark(rule.matched)} ${rule.effect.toUpperCase()} rule "${rule.ruleId}" → roles [${rule.roles.join(', ')}]`;
  if (!rule.providerMatch) return [`${head}: skipped, provider not listed`];
  const i = rule.instances;
  const count = i === undefined ? '' : ` ${i.matched} of ${i.listed} listed role(s)${i.sample.length > 0 ? `: ${some(i.sample, i.matched)}` : ''}`;
  if (brief && !rule.matched) {
    // One line: which conditions failed it (their values are in the --json trace).
    const failed = rule.conditions.filter((c) => !c.result && !unevaluated(c)).map((c) => `${c.operator} ${c.key}`);
    return [`${head}: not matched${count}${failed.length > 0 ? ` — failed: ${some(failed)}` : ''}`];
  }
  const lines = [`${head}: ${rule.matched ? 'matched' : 'not matched'}${count}`];
  if (rule.conditions.length === 0) lines.push('    (no conditions)');
  for (const c of rule.conditions) lines.push(conditionLine(c));
  return lines;
};

/** Granted roles that share a rule and a session are listed together, with the session once. */
const grantLines = (roles: readonly RoleOutcome[]): string[] => {
  const groups = new Map<string, RoleOutcome[]>();
  for (const r of roles) {
    const key = `${r.ruleId}\u0000${JSON.stringify(r.session)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    for (const r of group.slice(0, TRACE_SAMPLE * 2)) lines.push(`  ${r.id}  ${r.arn}${r.account?.label ? `  [${r.account.label}]` : ''}  (rule ${r.ruleId})`);
    if (group.length > TRACE_SAMPLE * 2) lines.push(`  … and ${group.length - TRACE_SAMPLE * 2} more role(s) of rule ${first.ruleId} with this session`);
    const s = first.session;
    lines.push(`    session name     ${s.name}`);
    if (s.sourceIdentity !== undefined) lines.push(`    source identity  ${s.sourceIdentity}`);
    lines.push(`    duration         ${s.durationSeconds} s (bound by ${s.durationBoundBy})`);
    const tags = Object.entries(s.tags);
    if (tags.length > 0) lines.push(`    tags             ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    if (s.transitiveTags.length > 0) lines.push(`    transitive tags  ${s.transitiveTags.join(', ')}`);
    if (s.policyArns.length > 0) lines.push(`    policy ARNs      ${s.policyArns.join(', ')}`);
    if (s.policy !== undefined) lines.push(`    inline policy    ${s.policy}`);
  }
  return lines;
};

const deniedLines = (denied: readonly DeniedRole[]): string[] => {
  if (denied.length === 0) return [];
  const byRule = new Map<string, string[]>();
  for (const d of denied) byRule.set(d.ruleId, [...(byRule.get(d.ruleId) ?? []), d.id]);
  return [...byRule].map(([ruleId, ids]) => `  denied by rule "${ruleId}" (deny overrides allow): ${some(ids)}`);
};

export const explainText = (decision: Explained): string => {
  const brief = decision.trace.length > BRIEF_FROM;
  const lines: string[] = decision.trace.flatMap((rule) => ruleLines(rule, brief));
  lines.push('');
  if (decision.outcome === 'deny') {
    lines.push(`DENY  ${decision.code}: ${decision.detail}`);
  } else {
    lines.push(`GRANT ${decision.roles.length} role(s):`);
    lines.push(...grantLines(decision.roles));
  }
  lines.push(...deniedLines(decision.denied ?? []));
  for (const note of decision.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
};
