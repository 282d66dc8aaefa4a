// What every identity proof — an OIDC ID token or a SAML assertion — is reduced to once it has been verified.
// One type for both protocols, built side by side by `fromOidc` and `fromSaml`; the flows, the rules input, the
// audit record and the sealed role-picker ticket all read this one shape.

import { copyClaims } from '../json/null-prototype.ts';
import type { VerifiedIdToken } from '../oidc/index.ts';
import type { SamlIdentity } from '../saml/index.ts';

export interface VerifiedIdentity {
  readonly providerId: string;
  readonly protocol: 'oidc' | 'saml';
  readonly subject: string;
  /** JWT `jti` or SAML assertion ID, for the audit record. */
  readonly tokenId?: string | undefined;
  /** The IdP's claims as verified (null-prototype), before mappings and broker keys. */
  readonly rawClaims: Readonly<Record<string, unknown>>;
  /**
   * When the IdP's own session ends (SAML `SessionNotOnOrAfter`), as epoch milliseconds: one absolute time, so that
   * a value carried in a ticket means the same whenever it is read. Undefined when the IdP does not say.
   */
  readonly idpSessionEnd?: number | undefined;
  /** The broker session this identity was presented through (CLI sign-in): its id and its end (epoch ms). */
  readonly session?: { readonly id: string; readonly end: number } | undefined;
}

export const fromOidc = (token: VerifiedIdToken): VerifiedIdentity => ({
  providerId: token.providerId,
  protocol: 'oidc',
  subject: token.subject,
  tokenId: token.jti,
  rawClaims: token.claims,
});

export const fromSaml = (identity: SamlIdentity): VerifiedIdentity => ({
  providerId: identity.providerId,
  protocol: 'saml',
  subject: identity.nameId,
  tokenId: identity.assertionId,
  rawClaims: identity.rawClaims,
  idpSessionEnd: identity.sessionNotOnOrAfter?.getTime(),
});

/** Seconds left of the IdP's session at `now` (the `idp-session` duration bound), or undefined when unbounded. */
export const idpSecondsLeft = (identity: Pick<VerifiedIdentity, 'idpSessionEnd'>, now: Date): number | undefined =>
  identity.idpSessionEnd === undefined ? undefined : (identity.idpSessionEnd - now.getTime()) / 1000;

/** Seconds left of the presenting broker session at `now` (the `cli-session` bound), or undefined without one. */
export const sessionSecondsLeft = (identity: Pick<VerifiedIdentity, 'session'>, now: Date): number | undefined =>
  identity.session === undefined ? undefined : (identity.session.end - now.getTime()) / 1000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An identity read back from a sealed value (JSON): its shape checked, its claims copied into null-prototype
 * objects again (a claim named `__proto__` stays a claim). Undefined when it is not an identity.
 */
export const reviveIdentity = (value: unknown): VerifiedIdentity | undefined => {
  if (!isRecord(value) || !isRecord(value.rawClaims)) return undefined;
  const { providerId, protocol, subject, tokenId, idpSessionEnd } = value;
  if (typeof providerId !== 'string' || typeof subject !== 'string' || (protocol !== 'oidc' && protocol !== 'saml')) return undefined;
  if (tokenId !== undefined && typeof tokenId !== 'string') return undefined;
  if (idpSessionEnd !== undefined && !(typeof idpSessionEnd === 'number' && Number.isFinite(idpSessionEnd))) return undefined;
  return { providerId, protocol, subject, tokenId, rawClaims: copyClaims(value.rawClaims), idpSessionEnd };
};
