import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIdpMetadata } from '../../../shared/saml/metadata.ts';
import { createTestIdp, generateKeyPair, IDP_ENTITY_ID, type TestIdp } from '../../support/saml-idp.ts';

const body = (pem: string): string => pem.replace(/-----[A-Z ]+-----|\s+/g, '');
const metadata = (descriptors: string, root = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">`) =>
  `${root}<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${descriptors}</md:IDPSSODescriptor></md:EntityDescriptor>`;
const key = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

let idp: TestIdp;
let other: { certPem: string };

beforeAll(async () => {
  other = await generateKeyPair('other.example');
  idp = await createTestIdp({ extraCertPems: [other.certPem] });
});

describe('parseIdpMetadata', () => {
  it('reads the entityID, every signing certificate (rollover) and the SSO endpoints of samlify metadata', () => {
    const parsed = parseIdpMetadata(idp.metadataXml);
    expect(parsed.entityId).toBe(IDP_ENTITY_ID);
    expect(parsed.signingCerts.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual(
      [idp.certPem, other.certPem].map((pem) => new X509Certificate(pem).fingerprint256),
    );
    expect(parsed.ssoRedirectUrl).toBe('https://idp.example.com/sso');
    expect(parsed.ssoPostUrl).toBe('https://idp.example.com/sso');
  });

  it('takes KeyDescriptors without use, skips encryption-only ones, and tolerates comments', () => {
    const parsed = parseIdpMetadata(metadata(`<!-- keys -->${key(idp.certPem)}${key(other.certPem, 'encryption')}`));
    expect(parsed.signingCerts).toHaveLength(1);
    expect(new X509Certificate(parsed.signingCerts[0]!).fingerprint256).toBe(new X509Certificate(idp.certPem).fingerprint256);
    expect(parsed.ssoRedirectUrl).toBeUndefined();
  });

  it.each([
    ['no signing certificate', () => metadata(key(idp.certPem, 'encryption'))],
    ['a certificate that is not one', () => metadata(key('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'))],
    ['no IDPSSODescriptor', () => '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>'],
    ['no entityID', () => metadata(key(idp.certPem), '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">')],
    ['an aggregate (EntitiesDescriptor)', () => '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>'],
    ['a DOCTYPE', () => `<!DOCTYPE x>${metadata(key(idp.certPem))}`],
    ['text that is not XML', () => 'not xml'],
  ])('refuses %s with CONFIG_INVALID', (_name, xml) => {
    expect(() => parseIdpMetadata(xml())).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
