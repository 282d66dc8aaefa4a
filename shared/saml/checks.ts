// The semantic checks of SAML web browser SSO (docs/security.md), each on values read from signed content, each
// throwing the stable code its failure means. Kept as small named steps so that the list reads like the spec.

import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import type { AssertionView } from './assertion.ts';
import { NAMEID_ENTITY } from './constants.ts';
import type { ResponseView } from './message.ts';
import type { SamlProviderRuntime, SamlValidationContext } from './types.ts';
import { attr, textOf } from './xml.ts';

/** The validation context narrowed to the provider the response claims to come from. */
export type CheckContext = Omit<SamlValidationContext, 'providers' | 'replay'> & { readonly provider: SamlProviderRuntime };

export interface Subject {
  readonly response?: ResponseView | undefined;
  /** True when the Response's own signature verified (it then vouches for its Destination). */
  readonly responseSigned: boolean;
  readonly assertion: AssertionView;
}

const issuerText = (issuer: Element): string => {
  const format = attr(issuer, 'Format');
  if (format !== undefined && format !== NAMEID_ENTITY) fail('ISSUER_MISMATCH', 'Response Issuer Format is not entity');
  return textOf(issuer);
};

/** Issuer confusion: a response or assertion from another IdP (or another provider's key) is not this one's. */
export const checkIssuers = ({ response, assertion }: Subject, ctx: CheckContext): void => {
  const expected = ctx.provider.metadata.entityId;
  if (response?.issuer !== undefined && issuerText(response.issuer) !== expected) fail('ISSUER_MISMATCH', 'Response Issuer differs from the metadata entityID');
  if (assertion.issuer !== expected) fail('ISSUER_MISMATCH', 'Assertion Issuer differs from the metadata entityID');
};

/** Forwarding: a response addressed to another service provider's ACS is not for us. */
export const checkDestination = ({ response, responseSigned }: Subject, ctx: CheckContext): void => {
  if (!response) return;
  if (responseSigned && response.destination === undefined) fail('DESTINATION_MISMATCH', 'a signed Response has no Destination');
  if (response.destination !== undefined && response.destination !== ctx.acsUrl) fail('DESTINATION_MISMATCH', 'Response Destination is not our ACS URL');
};

/** Audience confusion: an assertion minted for another SP of the same IdP. */
export const checkAudience = ({ assertion }: Subject, ctx: CheckContext): void => {
  const restrictions = assertion.conditions.audienceRestrictions;
  if (restrictions.length === 0) fail('AUDIENCE_MISMATCH', 'the assertion has no AudienceRestriction');
  if (!restrictions.every((audiences) => audiences.includes(ctx.spEntityId))) fail('AUDIENCE_MISMATCH', 'an AudienceRestriction does not name us');
};

/** Forwarding, assertion level: bearer data delivered to another ACS. */
export const checkRecipient = ({ assertion }: Subject, ctx: CheckContext): void => {
  if (assertion.confirmation.recipient !== ctx.acsUrl) fail('RECIPIENT_MISMATCH', 'SubjectConfirmationData Recipient is not our ACS URL');
};

/** Stale or premature assertions: replay after expiry, or one minted ahead of time. */
export const checkTimes = ({ assertion }: Subject, ctx: CheckContext): void => {
  const now = ctx.now.getTime();
  const skew = ctx.clockSkewSeconds * 1000;
  const { confirmation, conditions } = assertion;
  if (now >= confirmation.notOnOrAfter.getTime() + skew) fail('TOKEN_EXPIRED', 'SubjectConfirmationData NotOnOrAfter has passed');
  if (confirmation.notBefore && now + skew < confirmation.notBefore.getTime()) fail('TOKEN_NOT_YET_VALID', 'SubjectConfirmationData NotBefore is ahead');
  if (conditions.notOnOrAfter && now >= conditions.notOnOrAfter.getTime() + skew) fail('TOKEN_EXPIRED', 'Conditions NotOnOrAfter has passed');
  if (conditions.notBefore && now + skew < conditions.notBefore.getTime()) fail('TOKEN_NOT_YET_VALID', 'Conditions NotBefore is ahead');
  if (assertion.issueInstant.getTime() > now + skew) fail('TOKEN_NOT_YET_VALID', 'IssueInstant is in the future');
  if (now - assertion.issueInstant.getTime() > ctx.maxAssertionAgeSeconds * 1000 + skew) fail('TOKEN_TOO_OLD', 'IssueInstant is too old');
};

/** Login CSRF / injected responses: a solicited response must answer this browser's request; unsolicited ones only where allowed. */
export const checkInResponseTo = ({ response, assertion }: Subject, ctx: CheckContext): void => {
  const signed = assertion.confirmation.inResponseTo;
  if (ctx.expectedInResponseTo !== undefined) {
    if (signed !== ctx.expectedInResponseTo) fail('IN_RESPONSE_TO_MISMATCH', 'InResponseTo does not match the request of this browser');
    if (response?.inResponseTo !== undefined && response.inResponseTo !== ctx.expectedInResponseTo) fail('IN_RESPONSE_TO_MISMATCH', 'Response InResponseTo differs');
    return;
  }
  if (!ctx.provider.allowIdpInitiated) fail('UNSOLICITED_RESPONSE', 'unsolicited responses are not allowed for this provider');
  // A response to someone's request, arriving where no request was made: likely stolen or injected.
  if (signed !== undefined || response?.inResponseTo !== undefined) fail('IN_RESPONSE_TO_MISMATCH', 'an answer to a request this browser did not make');
};

/** In spec order; the replay claim runs after all of them. */
export const SEMANTIC_CHECKS = [checkIssuers, checkDestination, checkAudience, checkRecipient, checkTimes, checkInResponseTo] as const;
