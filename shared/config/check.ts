// Semantic checks beyond the schema: references, limits STS would refuse, shadowed and unreachable rules,
// templates no provider can fill. Errors stop start-up (and fail `check-config`); warnings are printed.

import {
  conditionValuesToStrings,
  isNegated,
  isValidTagKey,
  MAX_INLINE_POLICY,
  MAX_POLICY_ARNS,
  MAX_TAGS,
  OPERATORS,
  parseOperator,
  templateClaims,
} from '../rules/index.ts';
import { mayBeMultiValued, multiValuedClaims } from './multi-valued.ts';
import { checkAssertedRoles, checkRolePatterns, checkTargetCondition, conditionContext, unusedRoles, type ConditionContext, type TargetContext } from './check-targets.ts';
import { isTargetKey } from '../rules/index.ts';
import { policyDocument, ruleIdAt } from './rule-documents.ts';
import type { ParsedConfig, ProviderConfig, RuleConfig } from './schema.ts';

export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
}

export const BROKER_KEYS = ['broker:provider', 'broker:protocol', 'broker:sourceIp', 'broker:time', 'broker:mfa'] as const;

export { policyDocument, ruleIdAt } from './rule-documents.ts';

/**
 * Whether a provider can ever put this claim into the claims object. OIDC tokens may carry any custom claim;
 * a SAML response yields NameID, Issuer, AuthnContextClassRef, attributes under their full Name (a URI or URN)
 * and the names mapped in `claims:`.
 */
const canSupply = (provider: ProviderConfig, claim: string): boolean => {
  if ((BROKER_KEYS as readonly string[]).includes(claim)) return true;
  if (claim.startsWith('broker:')) return false;
  if (provider.claims && Object.hasOwn(provider.claims, claim)) return true;
  if (provider.type === 'oidc') return true;
  return claim === 'sub' || claim === 'iss' || claim === 'acr' || claim.includes(':');
};

const providersOf = (config: ParsedConfig, rule: RuleConfig): string[] =>
  rule.providers ?? Object.keys(config.providers);

type CondKey = string;
const conditionSets = new WeakMap<RuleConfig, Map<CondKey, Set<string>>>();
const conditionSet = (rule: RuleConfig): Map<CondKey, Set<string>> => {
  const known = conditionSets.get(rule);
  if (known) return known;
  const out = new Map<CondKey, Set<string>>();
  conditionSets.set(rule, out);
  for (const [op, block] of Object.entries(rule.conditions ?? {})) {
    for (const [key, value] of Object.entries(block)) out.set(`${op}\u0000${key}`, new Set(conditionValuesToStrings(value)));
  }
  return out;
};

/** `a` matches whenever `b` matches, judged on syntax: every condition of `a` appears in `b` with the same values. */
const weakerOrEqual = (a: RuleConfig, b: RuleConfig): boolean => {
  const sb = conditionSet(b);
  for (const [key, values] of conditionSet(a)) {
    const other = sb.get(key);
    if (!other || other.size !== values.size || [...values].some((v) => !other.has(v))) return false;
  }
  return true;
};

const covers = (outer: readonly string[], inner: readonly string[]): boolean => outer.includes('*') || outer.includes('*@*') || inner.every((r) => outer.includes(r));
const superset = (outer: readonly string[], inner: readonly string[]): boolean => inner.every((p) => outer.includes(p));

export const checkConfig = (config: ParsedConfig, ctx: TargetContext): Problem[] => {
  const problems: Problem[] = [];
  const error = (path: string, message: string): void => void problems.push({ severity: 'error', path, message });
  const warn = (path: string, message: string): void => void problems.push({ severity: 'warning', path, message });

  for (const [pid, provider] of Object.entries(config.providers)) {
    const base = `providers.${pid}`;
    if (provider.type === 'saml') {
      if ((provider.metadataFile === undefined) === (provider.metadataXml === undefined)) {
        error(base, 'a SAML provider needs exactly one of metadataFile or metadataXml');
      }
      if ((provider.decryptionKey === undefined) !== (provider.decryptionCert === undefined)) {
        error(base, 'decryptionKey and decryptionCert go together');
      }
    } else {
      if (!provider.audiences && !provider.clientId) error(base, 'an OIDC provider needs audiences or clientId (the accepted `aud`)');
      const auth = provider.clientAuth ?? (provider.clientSecret ? 'client_secret_basic' : 'none');
      if ((auth === 'client_secret_basic' || auth === 'client_secret_post') && !provider.clientSecret) {
        error(`${base}.clientSecret`, `clientAuth ${auth} needs clientSecret`);
      }
      if (auth === 'private_key_jwt' && !provider.clientPrivateKey) error(`${base}.clientPrivateKey`, 'clientAuth private_key_jwt needs clientPrivateKey');
    }
    for (const name of Object.keys(provider.claims ?? {})) {
      if (name.startsWith('broker:')) error(`${base}.claims.${name}`, 'the broker: namespace is reserved for broker keys');
    }
  }

  const browserProviders = Object.entries(config.providers).filter(([, p]) => p.type === 'saml' || p.clientId !== undefined);
  // Broker sessions are sealed values: without the secret no session could be issued or read.
  if (config.broker.cli && !config.broker.sealingSecret) error('broker.cli', 'CLI sign-in needs broker.sealingSecret (env:NAME or ssm:/path, at least 32 bytes)');
  if (config.broker.cli && browserProviders.length === 0) warn('broker.cli', 'CLI sign-in runs through browser sign-in, and no provider offers it (a SAML provider, or an OIDC provider with clientId)');
  if (browserProviders.length > 0 && !config.broker.sealingSecret) {
    warn('broker.sealingSecret', `browser sign-in (${browserProviders.map(([id]) => id).join(', ')}) needs a sealing secret: env:NAME or ssm:/path, at least 32 bytes`);
  }

  const conditions = conditionContext(ctx.catalogue, canSupply);
  const seenIds = new Map<string, number>();
  config.rules.forEach((rule, i) => {
    const path = `rules[${i}]`;
    const rid = ruleIdAt(rule, i);
    if (seenIds.has(rid)) error(`${path}.id`, `duplicate rule id "${rid}" (also rules[${seenIds.get(rid)}])`);
    else seenIds.set(rid, i);

    checkRolePatterns(config, rule, path, ctx, error, warn);
    rule.providers?.forEach((p, j) => {
      if (!Object.hasOwn(config.providers, p)) error(`${path}.providers[${j}]`, `unknown provider id "${p}"`);
    });

    checkConditions(config, rule, path, conditions, error, warn);
    checkSession(config, rule, path, error, warn);
  });

  // Warnings that scan every rule pair or every role instance: for check-config, not for every cold start.
  if (ctx.warnings) {
    checkOrder(config, warn);
    checkAssertedRoles(config, ctx, warn);
  }
  const unused = new Set(ctx.warnings ? unusedRoles(config, ctx) : []);
  for (const [rid, role] of Object.entries(config.roles)) {
    if (unused.has(rid)) warn(`roles.${rid}`, 'no allow rule grants this role');
    if (role.issuance === 'web-identity' && !config.broker.signingKey) {
      warn(`roles.${rid}.issuance`, 'web-identity issuance needs broker.signingKey (npm start supplies a development key)');
    }
  }
  return problems;
};

type Report = (path: string, message: string) => void;

const checkConditions = (config: ParsedConfig, rule: RuleConfig, path: string, ctx: ConditionContext, error: Report, warn: Report): void => {
  const entries = Object.entries(rule.conditions ?? {});
  let total = 0;
  let negated = 0;
  for (const [op, block] of entries) {
    const parsed = parseOperator(op);
    if (!parsed) {
      error(`${path}.conditions.${op}`, `unknown operator "${op}" (known: ${Object.keys(OPERATORS).join(', ')}, optionally prefixed ForAnyValue: or ForAllValues:)`);
      continue;
    }
    for (const [key, raw] of Object.entries(block)) {
      total++;
      if (isNegated(parsed.name)) negated++;
      const at = `${path}.conditions.${op}.${key}`;
      if (key.startsWith('broker:') && !(BROKER_KEYS as readonly string[]).includes(key) && !isTargetKey(key)) {
        error(at, `unknown broker key "${key}" (known: ${BROKER_KEYS.join(', ')}; of the role: broker:account, broker:account:name, broker:account:tag/<key>, broker:role)`);
      }
      if ((parsed.name === 'IpAddress' || parsed.name === 'NotIpAddress') && key !== 'broker:sourceIp') {
        warn(at, `${parsed.name} is meant for broker:sourceIp`);
      }
      const values = conditionValuesToStrings(raw);
      if (values.length === 0) error(at, 'needs at least one value');
      checkTargetCondition(config, rule, op, key, values, at, ctx, error, warn);
      for (const v of values) {
        // A policy variable's value is known only per request (and only String… operators take them).
        if (v.includes('${')) continue;
        const why = OPERATORS[parsed.name].checkValue(v);
        if (why) error(at, why);
      }
    }
  }
  if (rule.effect === 'allow') {
    if (total === 0) warn(`${path}.conditions`, 'allow rule without conditions grants every identity of its providers');
    else if (negated === total) warn(`${path}.conditions`, 'every condition of this allow rule is negated: it matches identities that merely lack the claims');
  }
};

const checkSession = (config: ParsedConfig, rule: RuleConfig, path: string, error: Report, warn: Report): void => {
  const session = rule.session;
  if (!session) return;
  if (rule.effect === 'deny') {
    warn(`${path}.session`, 'session is ignored on deny rules');
    return;
  }
  const tags = session.tags ?? {};
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) error(`${path}.session.tags`, `${keys.length} tags: STS accepts at most ${MAX_TAGS}`);
  const lower = new Map<string, string>();
  for (const key of keys) {
    if (!isValidTagKey(key)) error(`${path}.session.tags.${key}`, 'tag keys are 1–128 characters of letters, digits, spaces and _.:/=+-@');
    const folded = key.toLowerCase();
    const prev = lower.get(folded);
    if (prev !== undefined) error(`${path}.session.tags.${key}`, `tag keys are case-insensitive in STS: "${key}" repeats "${prev}"`);
    lower.set(folded, key);
  }
  (session.transitiveTags ?? []).forEach((key, j) => {
    if (!Object.hasOwn(tags, key)) error(`${path}.session.transitiveTags[${j}]`, `"${key}" is not one of this session's tags`);
  });
  if ((session.policyArns ?? []).length > MAX_POLICY_ARNS) {
    error(`${path}.session.policyArns`, `${session.policyArns?.length} policy ARNs: STS accepts at most ${MAX_POLICY_ARNS}`);
  }
  if (session.policy !== undefined) {
    const document = policyDocument(session.policy);
    if (document === undefined) {
      error(`${path}.session.policy`, 'must be a policy document: a mapping, or a JSON object as a string (with no repeated member)');
      return;
    }
    let size: number;
    try {
      size = JSON.stringify(document).length;
    } catch {
      error(`${path}.session.policy`, 'inline policy cannot be written as JSON (a YAML alias refers to itself?)');
      return;
    }
    if (size > MAX_INLINE_POLICY) error(`${path}.session.policy`, `inline policy is ${size} characters minified: STS accepts at most ${MAX_INLINE_POLICY}`);
  }

  const templates: Array<[string, string]> = [];
  if (session.name !== undefined) templates.push([`${path}.session.name`, session.name]);
  if (session.sourceIdentity !== undefined) templates.push([`${path}.session.sourceIdentity`, session.sourceIdentity]);
  for (const [key, value] of Object.entries(tags)) templates.push([`${path}.session.tags.${key}`, value]);
  const lists = multiValuedClaims(config);
  for (const [key, value] of Object.entries(tags)) {
    for (const claim of templateClaims(value).filter((c) => mayBeMultiValued(lists, c))) {
      warn(`${path}.session.tags.${key}`, `claim "${claim}" may hold several values, joined with ":" in the tag: ["a","x:b"] and ["a","x","b"] give the same value, so conditions on this tag cannot tell them apart`);
    }
  }
  const providers = providersOf(config, rule).filter((p) => Object.hasOwn(config.providers, p));
  for (const [at, template] of templates) {
    if (/\$\{(?![^{}]+\})/.test(template)) error(at, 'unterminated ${…} placeholder');
    for (const claim of templateClaims(template)) {
      const unable = providers.filter((p) => {
        const provider = config.providers[p];
        return provider !== undefined && !canSupply(provider, claim);
      });
      if (providers.length > 0 && unable.length === providers.length) {
        error(at, `template uses claim "${claim}" that no provider of this rule can supply (map it under providers.<id>.claims)`);
      } else if (unable.length > 0) {
        warn(at, `claim "${claim}" cannot come from provider(s) ${unable.join(', ')} (map it under their claims:)`);
      }
    }
  }
};

/** Rules that can never take effect because of an earlier allow rule (shadowed) or a deny rule (unreachable). */
const checkOrder = (config: ParsedConfig, warn: Report): void => {
  const rules = config.rules;
  const providers = rules.map((rule) => providersOf(config, rule));
  // Only a rule that lists every role of another (or all roles) can cover it: index the rules by the roles they list,
  // so that a config of hundreds of rules compares each rule with its few candidates, not with every other rule.
  const byRole = new Map<string, number[]>();
  const everything: number[] = [];
  rules.forEach((rule, i) => {
    if (rule.roles.includes('*') || rule.roles.includes('*@*')) everything.push(i);
    for (const role of new Set(rule.roles)) byRole.set(role, [...(byRole.get(role) ?? []), i]);
  });
  const candidates = (rule: RuleConfig): number[] => [...new Set([...everything, ...(byRole.get(rule.roles[0] ?? '') ?? [])])].sort((a, b) => a - b);
  const covering = (i: number, rule: RuleConfig, pj: readonly string[]): boolean => {
    const other = rules[i];
    return other !== undefined && covers(other.roles, rule.roles) && superset(providers[i] ?? [], pj) && weakerOrEqual(other, rule);
  };
  rules.forEach((rule, j) => {
    const path = `rules[${j}]`;
    const pj = providers[j] ?? [];
    const others = candidates(rule);
    const earlier = others.find((i) => i < j && rules[i]?.effect === rule.effect && covering(i, rule, pj));
    if (earlier !== undefined) {
      const msg = `shadowed by earlier rule "${ruleIdAt(rules[earlier] ?? rule, earlier)}", which matches whenever this one does and lists all its roles`;
      // A warning, not an error: the rule grants nothing the earlier one does not, so it must not block a deploy.
      warn(path, rule.effect === 'allow' ? `${msg}: it can never grant a role or supply a session` : `${msg}: it is redundant`);
      return;
    }
    if (rule.effect !== 'allow') return;
    for (const d of others) {
      const deny = rules[d];
      if (deny?.effect === 'deny' && covering(d, rule, pj)) warn(path, `unreachable: deny rule "${ruleIdAt(deny, d)}" matches whenever this rule does and refuses all its roles`);
    }
  });
};
