// What every identity proof (ID token, SAML response) is reduced to once it has been verified.

export interface VerifiedIdentity {
  readonly providerId: string;
  readonly protocol: 'oidc' | 'saml';
  readonly subject: string;
  /** JWT `jti` or SAML assertion ID, for the audit record. */
  readonly tokenId?: string | undefined;
  /** The IdP's claims as verified (null-prototype), before mappings and broker keys. */
  readonly rawClaims: Readonly<Record<string, unknown>>;
  /** Seconds left before the IdP's own session ends (SAML SessionNotOnOrAfter). */
  readonly idpSecondsLeft?: number | undefined;
}
