// Which configured OIDC provider a token claims to come from: its unverified `iss`, matched exactly. The choice
// only picks the policy to verify with; verification then pins the same issuer.

import type { OidcProviderConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';

export type OidcProviders = Readonly<Record<string, OidcProviderConfig>>;

export const acceptedAudiences = (provider: OidcProviderConfig): readonly string[] =>
  provider.audiences ?? (provider.clientId === undefined ? [] : [provider.clientId]);

/** Several providers may share an issuer (one per app); then the token's `aud` decides, and must decide uniquely. */
export const selectProvider = (providers: OidcProviders, payload: Readonly<Record<string, unknown>>): string => {
  const { iss, aud } = payload;
  // Exact match only: no trailing-slash or case folding, which would let look-alike issuers in.
  const byIssuer = typeof iss === 'string' ? Object.keys(providers).filter((id) => providers[id]?.issuer === iss) : [];
  if (byIssuer.length === 1 && byIssuer[0] !== undefined) return byIssuer[0];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const byAudience = byIssuer.filter((id) => {
    const provider = providers[id];
    return provider !== undefined && acceptedAudiences(provider).some((accepted) => audiences.includes(accepted));
  });
  if (byAudience.length === 1 && byAudience[0] !== undefined) return byAudience[0];
  // Known issuer, but no provider of it accepts this audience: the token was minted for someone else.
  if (byIssuer.length > 1 && byAudience.length === 0) throw new BrokerError('AUDIENCE_MISMATCH', 'no provider of this issuer accepts the token audience');
  throw new BrokerError('UNKNOWN_PROVIDER', byIssuer.length === 0 ? 'no OIDC provider has this issuer' : 'several OIDC providers accept this token');
};
