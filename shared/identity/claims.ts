// From an IdP's raw claims (verified token claims, or the attributes of a verified SAML assertion) to the one
// claims object the rules see: provider mappings applied, broker keys added, and the used claims whose values the
// engine cannot read named, so that the decision refuses the identity rather than drop them.

import type { BrokerConfig, ProviderConfig } from '../config/index.ts';
import { DEFAULT_MFA, readMappedClaims, withBrokerKeys, type Claims, type MfaValues } from '../rules/index.ts';
import { usedClaimNames } from './used-claims.ts';

export const mfaValuesOf = (provider: ProviderConfig): MfaValues => ({
  acr: provider.mfa?.acr ?? DEFAULT_MFA.acr,
  amr: provider.mfa?.amr ?? DEFAULT_MFA.amr,
});

export interface RequestFacts {
  readonly sourceIp?: string | undefined;
  readonly time: Date;
}

/** What `decide` needs of an identity: its claims and the used claims it holds unreadable values in. */
export interface IdentityInput {
  readonly claims: Claims;
  readonly unreadableClaims: readonly string[];
}

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
  return {
    claims: withBrokerKeys(claims, {
      provider: providerId,
      protocol: provider.type,
      sourceIp: facts.sourceIp,
      time: facts.time,
      mfa: mfaValuesOf(provider),
    }),
    unreadableClaims: unreadable.filter((name) => used.has(name)),
  };
};

/** The claims object alone (see identityInput). */
export const identityClaims = (config: BrokerConfig, providerId: string, raw: Readonly<Record<string, unknown>>, facts: RequestFacts): Claims =>
  identityInput(config, providerId, raw, facts).claims;
