// Which claims may hold several values, judged from the config alone (the IdP's data is not known here): a claim a
// rule tests with ForAnyValue:/ForAllValues:, a well-known list claim (groups, roles, amr, memberOf, entitlements,
// also as the last part of a SAML attribute URI), or a name mapped from such a claim or pointer. Used to warn where
// a session tag joins values with `:`, which is ambiguous (docs/rules.md).

import type { ParsedConfig } from './schema.ts';

const LIST_NAMES = new Set(['groups', 'group', 'roles', 'role', 'amr', 'memberof', 'entitlements', 'entitlement']);

/** `groups`, `http://schemas.microsoft.com/ws/2008/06/identity/claims/groups`, `/realm_access/roles`, `urn:x:memberOf`. */
const isListName = (name: string): boolean => LIST_NAMES.has((name.split(/[/:#]/).at(-1) ?? '').toLowerCase());

const cache = new WeakMap<ParsedConfig, ReadonlySet<string>>();

export const multiValuedClaims = (config: ParsedConfig): ReadonlySet<string> => {
  const known = cache.get(config);
  if (known) return known;
  const names = new Set<string>();
  cache.set(config, names);
  for (const rule of config.rules) {
    for (const [operator, block] of Object.entries(rule.conditions ?? {})) {
      if (operator.startsWith('ForAnyValue:') || operator.startsWith('ForAllValues:')) for (const key of Object.keys(block)) names.add(key);
    }
  }
  for (const provider of Object.values(config.providers)) {
    for (const [target, source] of Object.entries(provider.claims ?? {})) if (names.has(source) || isListName(source)) names.add(target);
  }
  return names;
};

export const mayBeMultiValued = (known: ReadonlySet<string>, claim: string): boolean => known.has(claim) || isListName(claim);
