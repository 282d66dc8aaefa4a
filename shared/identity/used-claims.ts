// The claims a config can ever look at: condition keys, policy variables in condition values, `${…}` templates,
// provider mappings, the attribute or claim that asserts roles (assertedRoles), and what the broker derives from
// claims itself (`sub` for the default session name, `acr`/`amr` for broker:mfa). Computed once per config. It
// decides which unreadable values refuse an identity, and what a role-picker ticket has to carry.

import type { BrokerConfig } from '../config/index.ts';
import { BROKER_PREFIX, conditionValuesToStrings, policyVariables, templateClaims } from '../rules/index.ts';

const cache = new WeakMap<BrokerConfig, ReadonlySet<string>>();

const rawNames = (config: BrokerConfig): Set<string> => {
  const names = new Set<string>(['sub']);
  for (const rule of config.rules) {
    for (const block of Object.values(rule.conditions ?? {})) {
      for (const [key, raw] of Object.entries(block)) {
        names.add(key);
        for (const value of conditionValuesToStrings(raw)) for (const claim of policyVariables(value)) names.add(claim);
      }
    }
    const session = rule.session;
    const templates = [session?.name, session?.sourceIdentity, ...Object.values(session?.tags ?? {})];
    for (const template of templates) if (template !== undefined) for (const claim of templateClaims(template)) names.add(claim);
  }
  if (names.has('broker:mfa')) {
    names.add('acr');
    names.add('amr');
  }
  for (const provider of Object.values(config.providers)) {
    if (provider.assertedRoles) names.add(provider.assertedRoles.attribute);
    for (const [target, source] of Object.entries(provider.claims ?? {})) {
      names.add(target);
      // A JSON pointer reads into a claim (an object, as a rule never could): the mapped name stands for it.
      if (!(provider.type === 'oidc' && source.startsWith('/'))) names.add(source);
    }
  }
  return names;
};

/** Every claim name the config uses (never a `broker:` key: the broker computes those). */
export const usedClaimNames = (config: BrokerConfig): ReadonlySet<string> => {
  let names = cache.get(config);
  if (!names) {
    names = new Set([...rawNames(config)].filter((name) => !name.startsWith(BROKER_PREFIX)));
    cache.set(config, names);
  }
  return names;
};

/**
 * The part of an IdP's raw claims that any decision on this config can depend on: the used names, and for the
 * provider's mappings the raw claims they read (a pointer's first member). What a role-picker ticket carries.
 */
export const claimsToCarry = (config: BrokerConfig, providerId: string, raw: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const keep = new Set(usedClaimNames(config));
  const provider = config.providers[providerId];
  for (const source of Object.values(provider?.claims ?? {})) {
    if (provider?.type === 'oidc' && source.startsWith('/')) keep.add((source.slice(1).split('/')[0] ?? '').replaceAll('~1', '/').replaceAll('~0', '~'));
    else keep.add(source);
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (keep.has(key)) out[key] = raw[key];
  return out;
};
