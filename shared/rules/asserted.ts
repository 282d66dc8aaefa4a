// IdP-asserted roles (docs/accounts.md, "Migrating from native AWS SAML federation"): the values of the AWS SAML
// `Role` attribute (or an OIDC claim) as candidate role instances. A value is `role-arn,provider-arn` in either
// order, or a plain role ARN. A candidate is kept only when its ARN matches one of the provider's `allow` patterns
// AND its account is one the config knows; the rules still decide (only a rule listing `asserted@…` or `*` grants
// it, and deny overrides). Malformed values are ignored, counted by position — never echoed.

import { ROLE_ARN } from '../patterns.ts';
import { likeMatch } from './like.ts';
import { ASSERTED_ROLE } from './targets.ts';
import type { Account, RoleDef } from './types.ts';

const SAML_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:saml-provider\/[\w+=,.@-]{1,128}$/;
/** Values beyond this many are not read (an attribute with thousands of values is not a role list). */
export const MAX_ASSERTED_VALUES = 1000;

export interface AssertedRolesSpec {
  readonly allow: readonly string[];
  readonly maxSessionSeconds: number;
}

export interface AssertedRoles {
  /** Candidate role instances: id = the role ARN. */
  readonly roles: ReadonlyArray<readonly [string, RoleDef]>;
  /** 1-based positions of the values that are not a role ARN, a pair of role and SAML provider ARNs, in either order. */
  readonly malformed: readonly number[];
  /** Well-formed values whose role matches no `allow` pattern or is in no known account. */
  readonly refused: number;
  /** Values past MAX_ASSERTED_VALUES. */
  readonly unread: number;
}

/** The role ARN a value asserts, or undefined when the value is malformed. */
export const assertedRoleArn = (value: string): string | undefined => {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 1) return ROLE_ARN.test(parts[0] ?? '') ? parts[0] : undefined;
  if (parts.length !== 2) return undefined;
  const [a = '', b = ''] = parts;
  if (ROLE_ARN.test(a) && SAML_PROVIDER_ARN.test(b)) return a;
  if (ROLE_ARN.test(b) && SAML_PROVIDER_ARN.test(a)) return b;
  return undefined;
};

const accountIdOf = (arn: string): string => arn.split(':')[4] ?? '';

export const assertedRoles = (values: readonly string[], spec: AssertedRolesSpec, accountsById: ReadonlyMap<string, Account>): AssertedRoles => {
  const roles = new Map<string, RoleDef>();
  const malformed: number[] = [];
  let refused = 0;
  values.slice(0, MAX_ASSERTED_VALUES).forEach((value, i) => {
    const arn = assertedRoleArn(value);
    if (arn === undefined) {
      malformed.push(i + 1);
      return;
    }
    const account = accountsById.get(accountIdOf(arn));
    // The allow list and the known accounts both: an IdP (or whoever controls its attribute) cannot widen either.
    if (account === undefined || !spec.allow.some((pattern) => likeMatch(arn, pattern))) {
      refused++;
      return;
    }
    if (!roles.has(arn)) {
      roles.set(arn, { arn, label: arn.slice(arn.lastIndexOf('/') + 1), maxSessionSeconds: spec.maxSessionSeconds, issuance: 'assume-role', role: ASSERTED_ROLE, account });
    }
  });
  return { roles: [...roles], malformed, refused, unread: Math.max(0, values.length - MAX_ASSERTED_VALUES) };
};
