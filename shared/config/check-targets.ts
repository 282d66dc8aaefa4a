// Config checks for many accounts (docs/accounts.md): rule `roles:` patterns (unknown roles or accounts are errors,
// patterns that list nothing are warnings), target keys and policy variables in conditions, asserted roles, and
// roles no allow rule grants (a template counts as granted when any of its instances is).

import {
  ASSERTED_ROLE,
  hasWildcard,
  isTargetKey,
  likeMatcher,
  parseRolePattern,
  policyVariables,
  takesPolicyVariables,
  TARGET_TAG_PREFIX,
  type CompiledPolicy,
} from '../rules/index.ts';
import type { Catalogue } from './accounts.ts';
import type { ParsedConfig, ProviderConfig, RuleConfig } from './schema.ts';

type Report = (path: string, message: string) => void;

export interface TargetContext {
  readonly catalogue: Catalogue;
  readonly compiled: CompiledPolicy;
  /** Look for warnings too (check-config); a cold start checks errors only (docs/accounts.md). */
  readonly warnings: boolean;
}

const PATTERN_PART = /^[A-Za-z0-9._*?-]+$/;
/** The broker keys of the request (not of the role): what a policy variable may name besides claims. */
const REQUEST_KEYS = ['broker:provider', 'broker:protocol', 'broker:sourceIp', 'broker:time', 'broker:mfa'];

/** Providers of the rule (all when it names none) that turn IdP-asserted roles into candidates. */
const assertingProviders = (config: ParsedConfig, rule: RuleConfig): string[] =>
  (rule.providers ?? Object.keys(config.providers)).filter((p) => config.providers[p]?.assertedRoles !== undefined);

/** Whether a pattern can list an asserted role of one of the rule's providers (in some known account). */
const canListAsserted = (config: ParsedConfig, rule: RuleConfig, ctx: TargetContext, text: string): boolean => {
  if (assertingProviders(config, rule).length === 0) return false;
  const pattern = parseRolePattern(text);
  if (pattern.kind === 'id') return pattern.id === '*';
  const account = likeMatcher(pattern.account);
  return likeMatcher(pattern.role)(ASSERTED_ROLE) && ctx.catalogue.accounts.some((a) => account(a.name));
};

/** One rule's `roles:`: each pattern names known roles and accounts, and lists something. */
export const checkRolePatterns = (config: ParsedConfig, rule: RuleConfig, path: string, ctx: TargetContext, error: Report, warn: Report): void => {
  rule.roles.forEach((text, j) => {
    const at = `${path}.roles[${j}]`;
    if (text === '*') return;
    const pattern = parseRolePattern(text);
    if (pattern.kind === 'id') {
      if (!hasWildcard(text)) {
        if (ctx.catalogue.templates.has(text)) error(at, `"${text}" is a role template: list its roles as ${text}@<account> or ${text}@*`);
        else if (!Object.hasOwn(config.roles, text) || text === ASSERTED_ROLE) error(at, `unknown role id "${text}"`);
        return;
      }
    } else {
      if (!PATTERN_PART.test(pattern.role) || !PATTERN_PART.test(pattern.account)) {
        error(at, 'a role pattern is role@account: letters, digits, ".", "_", "-", and the wildcards * and ? on either side');
        return;
      }
      // A name without wildcards that names nothing is a mistake, not a pattern that happens to match nothing: in a
      // deny rule it would silently refuse nothing.
      let known = true;
      if (!hasWildcard(pattern.role) && pattern.role !== ASSERTED_ROLE && !Object.hasOwn(config.roles, pattern.role)) {
        error(at, `unknown role "${pattern.role}"`);
        known = false;
      }
      if (!hasWildcard(pattern.account) && !ctx.catalogue.accountsByName.has(pattern.account)) {
        error(at, `unknown account "${pattern.account}" (not in accounts)`);
        known = false;
      }
      if (!known) return;
    }
    if (ctx.warnings && !ctx.compiled.listsAny(text) && !canListAsserted(config, rule, ctx, text)) {
      warn(at, rule.effect === 'deny' ? 'this pattern matches no role: the rule refuses nothing through it' : 'this pattern matches no role');
    }
  });
};

/** Whether a provider can supply a claim (see canSupply in check.ts), passed in to keep one definition. */
export type CanSupply = (provider: ProviderConfig, claim: string) => boolean;

export interface ConditionContext {
  readonly canSupply: CanSupply;
  /** Some role is in a known account. */
  readonly withAccount: boolean;
  /** Every tag key some account has. */
  readonly tagKeys: ReadonlySet<string>;
}

export const conditionContext = (catalogue: Catalogue, canSupply: CanSupply): ConditionContext => ({
  canSupply,
  withAccount: catalogue.withAccount,
  tagKeys: new Set(catalogue.accounts.flatMap((a) => Object.keys(a.tags))),
});

/** Target keys and policy variables in one condition value list. */
export const checkTargetCondition = (
  config: ParsedConfig,
  rule: RuleConfig,
  operator: string,
  key: string,
  values: readonly string[],
  at: string,
  ctx: ConditionContext,
  error: Report,
  warn: Report,
): void => {
  if (isTargetKey(key)) {
    if (key !== 'broker:role' && !ctx.withAccount) warn(at, `no role is in a known account (accounts:): ${key} is always missing`);
    const tag = key.startsWith(TARGET_TAG_PREFIX) ? key.slice(TARGET_TAG_PREFIX.length) : undefined;
    if (tag !== undefined && ctx.withAccount && !ctx.tagKeys.has(tag)) warn(at, `no account has the tag "${tag}"`);
  }
  const variables = values.flatMap((v) => policyVariables(v));
  const unterminated = values.some((v) => /(?<!\$)\$\{(?![^{}]+\})/.test(v));
  if (!takesPolicyVariables(operator)) {
    if (variables.length > 0 || unterminated) error(at, 'policy variables (${claim}) work in String… operators only');
    return;
  }
  if (unterminated) error(at, 'unterminated ${…} policy variable (write $${ for a literal ${)');
  if (variables.length === 0) return;
  if (rule.effect === 'deny') warn(at, 'a policy variable in a deny rule: when the claim is missing the condition is false and this deny does not apply');
  const providers = (rule.providers ?? Object.keys(config.providers)).filter((p) => Object.hasOwn(config.providers, p));
  for (const claim of new Set(variables)) {
    // A policy variable is a value of the identity or the request: never a key of the role being decided.
    if (claim.startsWith('broker:') && !REQUEST_KEYS.includes(claim)) {
      error(at, `\${${claim}}: a policy variable names a claim or one of ${REQUEST_KEYS.join(', ')}${isTargetKey(claim) ? ' (not a key of the role)' : ''}`);
      continue;
    }
    const unable = providers.filter((p) => {
      const provider = config.providers[p];
      return provider !== undefined && !ctx.canSupply(provider, claim);
    });
    if (unable.length > 0) warn(at, `policy variable \${${claim}} names a claim that provider(s) ${unable.join(', ')} cannot supply (map it under their claims:): for them it is missing and the value matches nothing`);
  }
};

/** Providers' assertedRoles: accounts to match them against, and a rule that can grant them. */
export const checkAssertedRoles = (config: ParsedConfig, ctx: TargetContext, warn: Report): void => {
  for (const [pid, provider] of Object.entries(config.providers)) {
    if (provider.assertedRoles === undefined) continue;
    const at = `providers.${pid}.assertedRoles`;
    if (ctx.catalogue.accounts.length === 0) warn(at, 'no accounts are configured: every asserted role is ignored (asserted roles must be in a known account)');
    const listed = config.rules.some(
      (rule) => rule.effect === 'allow' && (rule.providers === undefined || rule.providers.includes(pid)) && rule.roles.some((text) => canListAsserted(config, rule, ctx, text)),
    );
    if (!listed) warn(at, 'no allow rule lists asserted roles (roles: ["asserted@*"]): they are never granted');
  }
};

/** Roles of `roles:` that no allow rule lists (for a template: none of its instances). */
export const unusedRoles = (config: ParsedConfig, ctx: TargetContext): string[] => {
  const allows = config.rules.filter((rule) => rule.effect === 'allow');
  return Object.keys(config.roles).filter((rid) => !allows.some((rule) => rule.roles.some((text) => ctx.compiled.listsAny(text, rid))));
};
