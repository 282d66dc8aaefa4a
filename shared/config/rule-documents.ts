// Two readings of a rule that both the semantic checks and the config the functions use need: its id, and its
// session policy as a document.

import { readJsonObject } from '../json/strict.ts';
import type { Rule } from '../rules/index.ts';
import type { ParsedConfig, RuleConfig } from './schema.ts';

export const ruleIdAt = (rule: Pick<RuleConfig, 'id'>, index: number): string => rule.id ?? `rule-${index + 1}`;

/** A session policy as a document: the mapping itself, or the JSON object a string holds (strictly read). */
export const policyDocument = (policy: string | Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | undefined => {
  if (typeof policy !== 'string') return policy;
  const read = readJsonObject(policy);
  return 'value' in read ? read.value : undefined;
};

/** Rules with their ids filled in and inline session policies as documents. */
export const rulesOf = (config: ParsedConfig): Rule[] =>
  config.rules.map((r, i) => ({
    ...r,
    id: ruleIdAt(r, i),
    // A policy given as a JSON string is the same document as a mapping (checked by checkConfig).
    ...(r.session?.policy === undefined ? {} : { session: { ...r.session, policy: policyDocument(r.session.policy) } }),
  }));
