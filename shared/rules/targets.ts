// The target of a decision — one role instance — as condition keys (docs/rules.md, "Target keys"), and the rule
// `roles:` patterns that name role instances: `role@account`, with `*` and `?` on either side as in StringLike.

import { likeMatcher } from './like.ts';
import type { RoleDef } from './types.ts';

export const TARGET_ACCOUNT = 'broker:account';
export const TARGET_ACCOUNT_NAME = 'broker:account:name';
export const TARGET_TAG_PREFIX = 'broker:account:tag/';
export const TARGET_ROLE = 'broker:role';
/** `broker:role` of a role the IdP asserted (assertedRoles): rules list them as `asserted@<account>`. */
export const ASSERTED_ROLE = 'asserted';

/** Keys about the role instance being decided, not about the identity: evaluated once per role instance. */
export const isTargetKey = (key: string): boolean =>
  key === TARGET_ACCOUNT || key === TARGET_ACCOUNT_NAME || key === TARGET_ROLE || (key.startsWith(TARGET_TAG_PREFIX) && key.length > TARGET_TAG_PREFIX.length);

/** `broker:role`: the role's id without the account. */
export const roleNameOf = (id: string, role: RoleDef): string => role.role ?? id;

/** A target key's value for one role instance; undefined when the role has no known account (or no such tag). */
export const targetValue = (id: string, role: RoleDef, key: string): string | undefined => {
  if (key === TARGET_ROLE) return roleNameOf(id, role);
  const account = role.account;
  if (account === undefined) return undefined;
  if (key === TARGET_ACCOUNT) return account.id;
  if (key === TARGET_ACCOUNT_NAME) return account.name;
  if (key.startsWith(TARGET_TAG_PREFIX)) {
    const tag = key.slice(TARGET_TAG_PREFIX.length);
    return Object.hasOwn(account.tags, tag) ? account.tags[tag] : undefined;
  }
  return undefined;
};

export type RolePattern =
  /** No `@`: matched against the role instance's id (`*` matches every role, asserted ones included). */
  | { readonly kind: 'id'; readonly text: string; readonly id: string }
  /** `role@account`: the role part against `broker:role`, the account part against the account name ('' when none is known). */
  | { readonly kind: 'pair'; readonly text: string; readonly role: string; readonly account: string };

export const parseRolePattern = (text: string): RolePattern => {
  const at = text.indexOf('@');
  return at < 0 ? { kind: 'id', text, id: text } : { kind: 'pair', text, role: text.slice(0, at), account: text.slice(at + 1) };
};

export const hasWildcard = (text: string): boolean => /[*?]/.test(text);

/** Whether a role instance (its id, `broker:role` and account name) is named by any of these patterns. */
export type RoleListing = (id: string, roleName: string, accountName: string | undefined) => boolean;

export const roleListing = (patterns: readonly string[]): RoleListing => {
  const matchers = patterns.map((text): RoleListing => {
    const pattern = parseRolePattern(text);
    if (pattern.kind === 'id') {
      const id = likeMatcher(pattern.id);
      return (roleId) => id(roleId);
    }
    const role = likeMatcher(pattern.role);
    const account = likeMatcher(pattern.account);
    return (_id, roleName, accountName) => role(roleName) && account(accountName ?? '');
  });
  return (id, roleName, accountName) => matchers.some((m) => m(id, roleName, accountName));
};
