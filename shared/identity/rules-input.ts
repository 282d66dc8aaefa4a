// From an IdP's raw claims (verified token claims, or the attributes of a verified SAML assertion) to the one
// claims object the rules see: provider mappings applied, broker keys added, and the used claims whose values the
// engine cannot read named, so that the decision refuses the identity rather than drop them.

import type { BrokerConfig, ProviderConfig } from '../config/index.ts';
import { assertedRoles, DEFAULT_MFA, getClaim, readMappedClaims, withBrokerKeys, type Claims, type MfaValues, type RoleDef } from '../rules/index.ts';
import { usedClaimNames } from './used-claims.ts';

export const mfaValuesOf = (provider: ProviderConfig): MfaValues => ({
  acr: provider.mfa?.acr ?? DEFAULT_MFA.acr,
  amr: provider.mfa?.amr ?? DEFAULT_MFA.amr,
});

export interface RequestFacts {
  readonly sourceIp?: string | undefined;
  readonly time: Date;
}

/** What `decide` needs of an identity: its claims, the used claims it holds unreadable values in, the roles it asserts. */
export interface IdentityInput {
  readonly claims: Claims;
  readonly unreadableClaims: readonly string[];
  /** Candidate roles from the provider's assertedRoles attribute, within its allow list and the known accounts. */
  readonly assertedRoles: ReadonlyArray<readonly [string, RoleDef]>;
  /** What was ignored of the asserted values, by count and position only (docs/accounts.md). */
  readonly identityNotes: readonly string[];
  /** 1-based positions of asserted values that are not role ARNs (for the log line). */
  readonly malformedAsserted: readonly number[];
}

/** The provider's assertedRoles read from the identity's claims (none without the setting). */
const assertedOf = (config: BrokerConfig, provider: ProviderConfig, claims: Claims): Pick<IdentityInput, 'assertedRoles' | 'identityNotes' | 'malformedAsserted'> => {
  const spec = provider.assertedRoles;
  if (!spec) return { assertedRoles: [], identityNotes: [], malformedAsserted: [] };
  const read = assertedRoles(getClaim(claims, spec.attribute), spec, config.accountsById);
  const notes: string[] = [];
  if (read.malformed.length > 0) notes.push(`asserted roles: ${read.malformed.length} value(s) ignored as malformed (position ${read.malformed.join(', ')})`);
  if (read.refused > 0) notes.push(`asserted roles: ${read.refused} value(s) ignored: outside assertedRoles.allow or in no known account`);
  if (read.unread > 0) notes.push(`asserted roles: ${read.unread} value(s) past the first 1000 not read`);
  return { assertedRoles: read.roles, identityNotes: notes, malformedAsserted: read.malformed };
};

export const identityInput = (
  config: BrokerConfig,
  providerId: string,
  raw: Readonly<Record<string, unknown>>,
  facts: RequestFacts,
): IdentityInput => {
  const provider = config.providers[providerId];
  if (!provider) throw new Error(`unknown provider ${providerId}`);
  const { claims, unreadable } = readMappedClaims(raw, provider.claims, provider.type === 'oidc');
  const used = usedClaimNames(config);
  const withKeys = withBrokerKeys(claims, {
    provider: providerId,
    protocol: provider.type,
    sourceIp: facts.sourceIp,
    time: facts.time,
    mfa: mfaValuesOf(provider),
  });
  return { claims: withKeys, unreadableClaims: unreadable.filter((name) => used.has(name)), ...assertedOf(config, provider, withKeys) };
};

/** The claims object alone (see identityInput). */
export const identityClaims = (config: BrokerConfig, providerId: string, raw: Readonly<Record<string, unknown>>, facts: RequestFacts): Claims =>
  identityInput(config, providerId, raw, facts).claims;
