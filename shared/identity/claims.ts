// From an IdP's raw claims (verified token claims, or the attributes of a verified SAML assertion) to the one
// claims object the rules see: provider mappings applied, broker keys added.

import type { BrokerConfig, ProviderConfig } from '../config/index.ts';
import { DEFAULT_MFA, mapClaims, withBrokerKeys, type Claims, type MfaValues } from '../rules/index.ts';

export const mfaValuesOf = (provider: ProviderConfig): MfaValues => ({
  acr: provider.mfa?.acr ?? DEFAULT_MFA.acr,
  amr: provider.mfa?.amr ?? DEFAULT_MFA.amr,
});

export interface RequestFacts {
  readonly sourceIp?: string | undefined;
  readonly time: Date;
}

export const identityClaims = (
  config: BrokerConfig,
  providerId: string,
  raw: Readonly<Record<string, unknown>>,
  facts: RequestFacts,
): Claims => {
  const provider = config.providers[providerId];
  if (!provider) throw new Error(`unknown provider ${providerId}`);
  const mapped = mapClaims(raw, provider.claims, provider.type === 'oidc');
  return withBrokerKeys(mapped, {
    provider: providerId,
    protocol: provider.type,
    sourceIp: facts.sourceIp,
    time: facts.time,
    mfa: mfaValuesOf(provider),
  });
};
