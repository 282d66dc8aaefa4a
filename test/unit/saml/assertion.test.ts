import { describe, expect, it } from 'vitest';
import { dateTime, readAssertion } from '../../../shared/saml/assertion.ts';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { parseStrictXml } from '../../../shared/saml/xml.ts';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const parts = {
  issuer: '<saml:Issuer>https://idp.example.com</saml:Issuer>',
  subject: `<saml:Subject><saml:NameID>alice@example.com</saml:NameID><saml:SubjectConfirmation Method="${BEARER}"><saml:SubjectConfirmationData NotOnOrAfter="2026-11-22T12:05:00Z" Recipient="https://sp/acs" InResponseTo="_r"/></saml:SubjectConfirmation></saml:Subject>`,
  conditions: '<saml:Conditions NotBefore="2026-11-22T11:59:00Z" NotOnOrAfter="2026-11-22T12:05:00Z"><saml:AudienceRestriction><saml:Audience>urn:sp</saml:Audience><saml:Audience>urn:other</saml:Audience></saml:AudienceRestriction><saml:OneTimeUse/></saml:Conditions>',
  authn: '<saml:AuthnStatement AuthnInstant="2026-11-22T12:00:00Z" SessionNotOnOrAfter="2026-11-22T20:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>https://refeds.org/profile/mfa</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>',
  attributes:
    '<saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>a</saml:AttributeValue><saml:AttributeValue>b</saml:AttributeValue></saml:Attribute><saml:Attribute Name="empty"><saml:AttributeValue xsi:nil="true"/></saml:Attribute><saml:Attribute Name="tid"><saml:AttributeValue><saml:NameID>opaque</saml:NameID></saml:AttributeValue></saml:Attribute></saml:AttributeStatement>',
};
type Parts = typeof parts;
const assertion = (over: Partial<Parts> = {}, attrs = 'ID="_a1" Version="2.0" IssueInstant="2026-11-22T12:00:00Z"') => {
  const p = { ...parts, ...over };
  const xml = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${attrs}>${p.issuer}${p.subject}${p.conditions}${p.authn}${p.attributes}</saml:Assertion>`;
  return readAssertion(parseStrictXml(xml, LIMITS).root);
};
const refused = (over: Partial<Parts>, attrs?: string) => expect(() => assertion(over, attrs)).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));

describe('readAssertion', () => {
  it('reads every value the checks and claims need', () => {
    const a = assertion();
    expect(a).toMatchObject({
      id: '_a1',
      issuer: 'https://idp.example.com',
      nameId: 'alice@example.com',
      confirmation: { recipient: 'https://sp/acs', inResponseTo: '_r', notOnOrAfter: new Date('2026-11-22T12:05:00Z') },
      conditions: { notBefore: new Date('2026-11-22T11:59:00Z'), audienceRestrictions: [['urn:sp', 'urn:other']] },
      sessionNotOnOrAfter: new Date('2026-11-22T20:00:00Z'),
      authnContextClassRef: 'https://refeds.org/profile/mfa',
    });
    expect(a.attributes).toEqual([['groups', ['a', 'b']], ['empty', []], ['tid', ['opaque']]]);
  });

  const groups = (values: string): Parts['attributes'] =>
    `<saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>aws-dev</saml:AttributeValue>${values}</saml:Attribute></saml:AttributeStatement>`;
  const UNREADABLE = { unreadable: 'nil-with-content' };

  // xsi:nil says "no value"; content says otherwise. Dropping it would hide a group from the deny rules.
  it.each<[string, string, unknown[]]>([
    ['nil="true" without content is no value', '<saml:AttributeValue xsi:nil="true"/>', ['aws-dev']],
    ['nil="1" without content is no value', '<saml:AttributeValue xsi:nil="1"></saml:AttributeValue>', ['aws-dev']],
    ['nil with only whitespace is no value', '<saml:AttributeValue xsi:nil="true">  </saml:AttributeValue>', ['aws-dev']],
    ['nil="false" is an ordinary value', '<saml:AttributeValue xsi:nil="false">contractors</saml:AttributeValue>', ['aws-dev', 'contractors']],
    ['nil="true" with text is unreadable', '<saml:AttributeValue xsi:nil="true">contractors</saml:AttributeValue>', ['aws-dev', UNREADABLE]],
    ['nil=" 1 " with text is unreadable', '<saml:AttributeValue xsi:nil=" 1 ">contractors</saml:AttributeValue>', ['aws-dev', UNREADABLE]],
    ['nil="true" with CDATA is unreadable', '<saml:AttributeValue xsi:nil="true"><![CDATA[contractors]]></saml:AttributeValue>', ['aws-dev', UNREADABLE]],
    ['nil="true" with an element is unreadable', '<saml:AttributeValue xsi:nil="true"><saml:NameID>contractors</saml:NameID></saml:AttributeValue>', ['aws-dev', UNREADABLE]],
  ])('%s', (_name, values, expected) => {
    expect(assertion({ attributes: groups(values) }).attributes).toEqual([['groups', expected]]);
  });

  it('accepts an assertion without AuthnStatement or attributes', () => {
    const a = assertion({ authn: '', attributes: '' });
    expect(a.authnContextClassRef).toBeUndefined();
    expect(a.attributes).toEqual([]);
  });

  it.each<[string, Partial<Parts>]>([
    ['no Subject', { subject: '' }],
    ['no Conditions', { conditions: '' }],
    ['no Issuer', { issuer: '' }],
    ['an Issuer that is not an entity', { issuer: '<saml:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">x</saml:Issuer>' }],
    ['an EncryptedID instead of a NameID', { subject: parts.subject.replace(/<saml:NameID>.*?<\/saml:NameID>/, '<saml:EncryptedID/>') }],
    ['an empty NameID', { subject: parts.subject.replace('alice@example.com', ' ') }],
    ['holder-of-key confirmation', { subject: parts.subject.replace(BEARER, 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key') }],
    ['two confirmations', { subject: parts.subject.replace(/(<saml:SubjectConfirmation [\s\S]*<\/saml:SubjectConfirmation>)/, '$1$1') }],
    ['no SubjectConfirmationData', { subject: parts.subject.replace(/<saml:SubjectConfirmationData[^>]*\/>/, '') }],
    ['content inside SubjectConfirmationData', { subject: parts.subject.replace(/<saml:SubjectConfirmationData([^>]*)\/>/, '<saml:SubjectConfirmationData$1><x:k xmlns:x="urn:x"/></saml:SubjectConfirmationData>') }],
    ['no NotOnOrAfter on the confirmation', { subject: parts.subject.replace(' NotOnOrAfter="2026-11-22T12:05:00Z"', '') }],
    ['an unknown condition', { conditions: parts.conditions.replace('<saml:OneTimeUse/>', '<saml:Condition xsi:type="x:y" xmlns:x="urn:x"/>') }],
    ['an empty AudienceRestriction', { conditions: '<saml:Conditions><saml:AudienceRestriction/></saml:Conditions>' }],
    ['two AuthnStatements', { authn: parts.authn + parts.authn }],
    ['an EncryptedAttribute', { attributes: '<saml:AttributeStatement><saml:EncryptedAttribute/></saml:AttributeStatement>' }],
    ['an Attribute without Name', { attributes: '<saml:AttributeStatement><saml:Attribute><saml:AttributeValue>a</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>' }],
    ['a complex AttributeValue', { attributes: '<saml:AttributeStatement><saml:Attribute Name="x"><saml:AttributeValue><x:y xmlns:x="urn:x"/></saml:AttributeValue></saml:Attribute></saml:AttributeStatement>' }],
    ['elements out of schema order', { conditions: '', authn: parts.authn + parts.conditions }],
  ])('refuses %s', (_name, over) => refused(over));

  it.each([
    ['no Version 2.0', 'ID="_a1" Version="1.1" IssueInstant="2026-11-22T12:00:00Z"'],
    ['no ID', 'Version="2.0" IssueInstant="2026-11-22T12:00:00Z"'],
    ['a non-UTC IssueInstant', 'ID="_a1" Version="2.0" IssueInstant="2026-11-22T12:00:00+02:00"'],
  ])('refuses %s', (_name, attrs) => refused({}, attrs));
});

describe('dateTime', () => {
  it.each([
    ['2026-11-22T12:00:00Z', '2026-11-22T12:00:00.000Z'],
    ['2026-11-22T12:00:00.1234567Z', '2026-11-22T12:00:00.123Z'],
    ['2024-02-29T23:59:59.9Z', '2024-02-29T23:59:59.900Z'],
  ])('reads %s', (value, iso) => expect(dateTime(value, 't').toISOString()).toBe(iso));

  it.each(['2026-11-22T12:00:00', '2026-11-22 12:00:00Z', '2025-02-29T00:00:00Z', '2026-11-22T24:00:00Z', '2026-13-01T00:00:00Z', 'yesterday', ''])('refuses %s', (value) => {
    expect(() => dateTime(value, 't')).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));
  });
});
