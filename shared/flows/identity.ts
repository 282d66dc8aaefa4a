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

/** A verified SAML assertion as the flows see it (NameID is the subject, the assertion ID the token id). */
export const fromSamlIdentity = (
  identity: { providerId: string; nameId: string; assertionId: string; rawClaims: Readonly<Record<string, unknown>>; sessionNotOnOrAfter?: Date | undefined },
  now: Date,
): VerifiedIdentity => ({
  providerId: identity.providerId,
  protocol: 'saml',
  subject: identity.nameId,
  tokenId: identity.assertionId,
  rawClaims: identity.rawClaims,
  idpSecondsLeft: identity.sessionNotOnOrAfter === undefined ? undefined : (identity.sessionNotOnOrAfter.getTime() - now.getTime()) / 1000,
});
