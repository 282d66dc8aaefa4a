// The `explain` view of a decision: the JSON object of SPEC §9 and a terminal rendering of the same value.

import type { Decision, RuleTrace } from '../rules/index.ts';

/** A rules decision, or the refusal of the identity proof itself (bad token or assertion) before any rule ran. */
export type Explained =
  | Decision
  | { readonly outcome: 'deny'; readonly code: string; readonly detail: string; readonly trace: readonly RuleTrace[]; readonly notes: readonly string[] };

export interface ExplainJson {
  readonly outcome: 'grant' | 'deny';
  readonly code?: string;
  readonly detail?: string;
  readonly roles: ReadonlyArray<{
    readonly id: string;
    readonly arn: string;
    readonly ruleId: string;
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
  }>;
  readonly notes: readonly string[];
  readonly trace: readonly RuleTrace[];
}

export const explainJson = (decision: Explained): ExplainJson => {
  if (decision.outcome === 'deny') {
    return { outcome: 'deny', code: decision.code, detail: decision.detail, roles: [], notes: decision.notes, trace: decision.trace };
  }
  return {
    outcome: 'grant',
    roles: decision.roles.map((r) => ({
      id: r.id,
      arn: r.arn,
      ruleId: r.ruleId,
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
    })),
    notes: decision.notes,
    trace: decision.trace,
  };
};

const mark = (ok: boolean): string => (ok ? '✔' : '✘');

export const explainText = (decision: Explained): string => {
  const lines: string[] = [];
  for (const rule of decision.trace) {
    const head = `${mark(rule.matched)} ${rule.effect.toUpperCase()} rule "${rule.ruleId}" → roles [${rule.roles.join(', ')}]`;
    if (!rule.providerMatch) {
      lines.push(`${head}: skipped, provider not listed`);
      continue;
    }
    lines.push(`${head}: ${rule.matched ? 'matched' : 'not matched'}`);
    if (rule.conditions.length === 0) lines.push('    (no conditions)');
    for (const c of rule.conditions) {
      const actual = c.claimValues.length === 0 ? '(missing)' : JSON.stringify(c.claimValues);
      lines.push(`    ${mark(c.result)} ${c.operator} ${c.key} ${JSON.stringify(c.values)}  — claim: ${actual}`);
    }
  }
  lines.push('');
  if (decision.outcome === 'deny') {
    lines.push(`DENY  ${decision.code}: ${decision.detail}`);
  } else {
    lines.push(`GRANT ${decision.roles.length} role(s):`);
    for (const r of decision.roles) {
      const s = r.session;
      lines.push(`  ${r.id}  ${r.arn}  (rule ${r.ruleId})`);
      lines.push(`    session name     ${s.name}`);
      if (s.sourceIdentity !== undefined) lines.push(`    source identity  ${s.sourceIdentity}`);
      lines.push(`    duration         ${s.durationSeconds} s (bound by ${s.durationBoundBy})`);
      const tags = Object.entries(s.tags);
      if (tags.length > 0) lines.push(`    tags             ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
      if (s.transitiveTags.length > 0) lines.push(`    transitive tags  ${s.transitiveTags.join(', ')}`);
      if (s.policyArns.length > 0) lines.push(`    policy ARNs      ${s.policyArns.join(', ')}`);
      if (s.policy !== undefined) lines.push(`    inline policy    ${s.policy}`);
    }
  }
  for (const note of decision.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
};
