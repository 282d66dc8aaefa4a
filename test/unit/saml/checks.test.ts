import { describe, expect, it } from 'vitest';
import type { AssertionView } from '../../../shared/saml/assertion.ts';
import { checkAudience, checkDestination, checkInResponseTo, checkIssuers, checkRecipient, checkTimes, type CheckContext, type Subject } from '../../../shared/saml/checks.ts';
import type { SamlProviderRuntime } from '../../../shared/saml/types.ts';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);
const provider: SamlProviderRuntime = { id: 'p', metadata: { entityId: 'https://idp', signingCerts: [], signingKeys: [] }, allowIdpInitiated: false, wantAssertionsSigned: false, allowSha1: false };
const ctx: CheckContext = { provider, spEntityId: 'urn:sp', acsUrl: 'https://sp/acs', now: NOW, clockSkewSeconds: 60, maxAssertionAgeSeconds: 600, expectedInResponseTo: '_req' };

const view = (over: Partial<AssertionView> = {}): AssertionView =>
  ({
    id: '_a',
    issueInstant: NOW,
    issuer: 'https://idp',
    nameId: 'alice',
    confirmation: { notOnOrAfter: at(300), recipient: 'https://sp/acs', inResponseTo: '_req' },
    conditions: { notBefore: at(-30), notOnOrAfter: at(300), audienceRestrictions: [['urn:sp']] },
    attributes: [],
    ...over,
  }) as AssertionView;
const subject = (assertion: Partial<AssertionView> = {}, rest: Partial<Omit<Subject, 'assertion'>> = {}): Subject => ({ responseSigned: false, assertion: view(assertion), ...rest });
const code = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('checkTimes', () => {
  it.each<[string, Partial<AssertionView>, string | undefined]>([
    ['a fresh assertion', {}, undefined],
    ['confirmation expired beyond the skew', { confirmation: { notOnOrAfter: at(-60) } }, 'TOKEN_EXPIRED'],
    ['confirmation expired but within the skew', { confirmation: { notOnOrAfter: at(-59) } }, undefined],
    ['confirmation NotBefore beyond the skew', { confirmation: { notOnOrAfter: at(300), notBefore: at(61) } }, 'TOKEN_NOT_YET_VALID'],
    ['Conditions NotOnOrAfter passed', { conditions: { notOnOrAfter: at(-61), audienceRestrictions: [] } }, 'TOKEN_EXPIRED'],
    ['Conditions NotBefore ahead beyond the skew', { conditions: { notBefore: at(61), audienceRestrictions: [] } }, 'TOKEN_NOT_YET_VALID'],
    ['Conditions NotBefore ahead within the skew', { conditions: { notBefore: at(60), audienceRestrictions: [] } }, undefined],
    ['IssueInstant ahead beyond the skew', { issueInstant: at(61) }, 'TOKEN_NOT_YET_VALID'],
    ['IssueInstant older than max age + skew', { issueInstant: at(-661) }, 'TOKEN_TOO_OLD'],
    ['IssueInstant at max age + skew', { issueInstant: at(-660) }, undefined],
  ])('%s', (_name, over, expected) => expect(code(() => checkTimes(subject(over), ctx))).toBe(expected));
});

describe('checkAudience', () => {
  it.each<[string, string[][], string | undefined]>([
    ['our entity ID among others', [['urn:other', 'urn:sp']], undefined],
    ['every restriction names us', [['urn:sp'], ['urn:sp', 'urn:x']], undefined],
    ['one restriction does not name us', [['urn:sp'], ['urn:other']], 'AUDIENCE_MISMATCH'],
    ['no restriction at all', [], 'AUDIENCE_MISMATCH'],
    ['a prefix of our entity ID', [['urn:s']], 'AUDIENCE_MISMATCH'],
  ])('%s', (_name, audienceRestrictions, expected) => expect(code(() => checkAudience(subject({ conditions: { audienceRestrictions } }), ctx))).toBe(expected));
});

describe('checkDestination and checkRecipient', () => {
  const response = (destination?: string) => ({ response: { element: undefined as never, destination } });
  it.each<[string, Partial<Omit<Subject, 'assertion'>>, string | undefined]>([
    ['a signed Response to our ACS', { responseSigned: true, ...response('https://sp/acs') }, undefined],
    ['a signed Response without Destination', { responseSigned: true, ...response(undefined) }, 'DESTINATION_MISMATCH'],
    ['an unsigned Response without Destination', { responseSigned: false, ...response(undefined) }, undefined],
    ['an unsigned Response to another ACS', { responseSigned: false, ...response('https://evil/acs') }, 'DESTINATION_MISMATCH'],
    ['a bare assertion', {}, undefined],
  ])('%s', (_name, rest, expected) => expect(code(() => checkDestination(subject({}, rest), ctx))).toBe(expected));

  it('refuses bearer data for another ACS', () => {
    expect(code(() => checkRecipient(subject({ confirmation: { notOnOrAfter: at(300), recipient: 'https://evil/acs' } }), ctx))).toBe('RECIPIENT_MISMATCH');
    expect(code(() => checkRecipient(subject({ confirmation: { notOnOrAfter: at(300) } }), ctx))).toBe('RECIPIENT_MISMATCH');
  });
});

describe('checkIssuers', () => {
  it('refuses an assertion issued by another entity', () => {
    expect(code(() => checkIssuers(subject({ issuer: 'https://other' }), ctx))).toBe('ISSUER_MISMATCH');
    expect(code(() => checkIssuers(subject(), ctx))).toBeUndefined();
  });
});

describe('checkInResponseTo', () => {
  const confirmation = (inResponseTo?: string) => ({ confirmation: { notOnOrAfter: at(300), inResponseTo } });
  const unsolicited = { ...ctx, expectedInResponseTo: undefined };
  const allowing = { ...unsolicited, provider: { ...provider, allowIdpInitiated: true } };
  it.each<[string, Subject, CheckContext, string | undefined]>([
    ['the answer to this browser request', subject(confirmation('_req')), ctx, undefined],
    ['the answer to another request', subject(confirmation('_other')), ctx, 'IN_RESPONSE_TO_MISMATCH'],
    ['a solicited flow, no InResponseTo', subject(confirmation(undefined)), ctx, 'IN_RESPONSE_TO_MISMATCH'],
    ['an unsigned Response claiming another request', subject(confirmation('_req'), { response: { element: undefined as never, inResponseTo: '_other' } }), ctx, 'IN_RESPONSE_TO_MISMATCH'],
    ['unsolicited, not allowed', subject(confirmation(undefined)), unsolicited, 'UNSOLICITED_RESPONSE'],
    ['unsolicited, allowed', subject(confirmation(undefined)), allowing, undefined],
    ['unsolicited but answering some request', subject(confirmation('_req')), allowing, 'IN_RESPONSE_TO_MISMATCH'],
  ])('%s', (_name, s, c, expected) => expect(code(() => checkInResponseTo(s, c))).toBe(expected));
});
