import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ServiceProvider, Constants } from 'samlify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/index.ts';
import { samlProvidersOf } from '../../../shared/saml/providers.ts';
import { buildLoginRedirect, spMetadataXml, spSettingsOf } from '../../../shared/saml/service-provider.ts';
import { validateSamlStructure } from '../../../tools/local/samlify-strict.ts';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { attr, elementChildren, parseStrictXml, textOf } from '../../../shared/saml/xml.ts';
import { ACS_URL, SP_ENTITY_ID, createTestIdp, generateKeyPair, providerFor, type TestIdp } from '../../support/saml-idp.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const sp = { entityId: SP_ENTITY_ID, acsUrl: ACS_URL };
const strict = (xml: string) => parseStrictXml(xml, LIMITS);

let idp: TestIdp;
let encryption: { privateKeyPem: string; certPem: string };

beforeAll(async () => {
  idp = await createTestIdp();
  encryption = await generateKeyPair('broker.example.com');
});

const configData = (metadataXml: string, extra: Record<string, unknown> = {}) => ({
  version: 1,
  broker: { baseUrl: 'https://broker.example.com', samlEntityId: SP_ENTITY_ID },
  providers: { 'corp-saml': { type: 'saml', metadataXml, allowIdpInitiated: true, decryptionKey: 'env:SP_KEY', decryptionCert: 'env:SP_CERT', ...extra } },
  roles: {},
  rules: [],
});

describe('spMetadataXml', () => {
  it('publishes the entityID and the HTTP-POST ACS, asks for signed assertions when enforced, passes the strict parser', () => {
    const { root } = strict(spMetadataXml({ ...sp, wantAssertionsSigned: true }));
    expect(attr(root, 'entityID')).toBe(SP_ENTITY_ID);
    const [descriptor] = elementChildren(root);
    expect(descriptor!.localName).toBe('SPSSODescriptor');
    expect(attr(descriptor!, 'WantAssertionsSigned')).toBe('true');
    expect(attr(descriptor!, 'AuthnRequestsSigned')).toBe('false');
    const acs = elementChildren(descriptor!).find((e) => e.localName === 'AssertionConsumerService')!;
    expect([attr(acs, 'Binding'), attr(acs, 'Location')]).toEqual([Constants.namespace.binding.post, ACS_URL]);
  });

  // The metadata once said "true" while the default accepted a signed Response around an unsigned assertion.
  it.each<[string, string, Array<Record<string, unknown>>]>([
    ['the default (wantAssertionsSigned: false)', 'false', [{}]],
    ['the one provider enforces it', 'true', [{ wantAssertionsSigned: true }]],
    ['every provider enforces it', 'true', [{ wantAssertionsSigned: true }, { wantAssertionsSigned: true }]],
    ['one of two providers does not enforce it', 'false', [{ wantAssertionsSigned: true }, { wantAssertionsSigned: false }]],
  ])('WantAssertionsSigned states what is enforced: %s → %s', async (_name, expected, providers) => {
    const data = configData(idp.metadataXml);
    data.providers = Object.fromEntries(providers.map((extra, i) => [`saml-${i}`, { type: 'saml', metadataXml: idp.metadataXml, allowIdpInitiated: true, ...extra }])) as typeof data.providers;
    const { root } = strict(spMetadataXml(spSettingsOf(await buildConfig(data, '/virtual/broker.yaml'))));
    expect(attr(elementChildren(root)[0]!, 'WantAssertionsSigned')).toBe(expected);
  });

  it('publishes the providers’ decryption certificates for EncryptedAssertion', async () => {
    const config = await buildConfig(configData(idp.metadataXml), '/virtual/broker.yaml', { env: { SP_KEY: encryption.privateKeyPem, SP_CERT: encryption.certPem } });
    const settings = spSettingsOf(config);
    expect(settings).toMatchObject({ entityId: SP_ENTITY_ID, acsUrl: 'https://broker.example.com/saml/acs' });
    const { doc } = strict(spMetadataXml(settings));
    const keys = Array.from(doc.getElementsByTagNameNS(MD, 'KeyDescriptor'));
    expect(keys.map((k) => attr(k, 'use'))).toEqual(['encryption']);
  });
});

describe('buildLoginRedirect', () => {
  it('redirects to the IdP SSO URL with a deflated AuthnRequest whose ID it returns', () => {
    const { url, requestId } = buildLoginRedirect(providerFor(idp), sp, 'rs-123');
    const target = new URL(url);
    expect(`${target.origin}${target.pathname}`).toBe('https://idp.example.com/sso');
    expect(target.searchParams.get('RelayState')).toBe('rs-123');
    const xml = inflateRawSync(Buffer.from(target.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const { root } = strict(xml);
    expect(root.localName).toBe('AuthnRequest');
    expect(attr(root, 'ID')).toBe(requestId);
    expect(attr(root, 'AssertionConsumerServiceURL')).toBe(ACS_URL);
    expect(attr(root, 'ProtocolBinding')).toBe(Constants.namespace.binding.post);
    expect(attr(root, 'Destination')).toBe('https://idp.example.com/sso');
    expect(textOf(elementChildren(root)[0]!)).toBe(SP_ENTITY_ID);
  });

  it('issues a fresh request ID each time', () => {
    const a = buildLoginRedirect(providerFor(idp), sp);
    const b = buildLoginRedirect(providerFor(idp), sp);
    expect(a.requestId).not.toBe(b.requestId);
    expect(new URL(a.url).searchParams.has('RelayState')).toBe(false);
  });

  it('refuses a RelayState over 80 bytes (SAML bindings §3.4.3)', () => {
    expect(() => buildLoginRedirect(providerFor(idp), sp, 'x'.repeat(81))).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('refuses a provider whose metadata has no HTTP-Redirect SSO endpoint', () => {
    const provider = providerFor(idp);
    const noRedirect = { ...provider, metadata: { ...provider.metadata, ssoRedirectUrl: undefined } };
    expect(() => buildLoginRedirect(noRedirect, sp)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('validateSamlStructure (the validator samlify calls)', () => {
  it('accepts a signed response from the test IdP', async () => {
    await expect(validateSamlStructure(await idp.xml({ signing: 'both' }))).resolves.toBe('valid');
  });

  it.each<[string, (xml: string) => string]>([
    ['a DOCTYPE', (xml) => `<!DOCTYPE r>${xml}`],
    ['two assertions', (xml) => xml.replace(/(<saml:Assertion[\s\S]*<\/saml:Assertion>)/, '$1$1')],
    ['a root that is not SAML', () => '<html/>'],
    ['a signature in Extensions', (xml) => xml.replace('<samlp:Status>', `<samlp:Extensions>${/<ds:Signature[\s\S]*?<\/ds:Signature>/.exec(xml)![0]}</samlp:Extensions><samlp:Status>`)],
  ])('rejects %s', async (_name, mutate) => {
    await expect(validateSamlStructure(mutate(await idp.xml()))).rejects.toMatchObject({ code: expect.stringMatching(/SAML_INVALID|SIGNATURE_INVALID/) });
  });

  it('guards what samlify itself parses: an AuthnRequest with a DOCTYPE never reaches the test IdP', async () => {
    const request = `<!DOCTYPE r [<!ENTITY x "y">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="2026-11-22T12:00:00Z"><saml:Issuer>${SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>`;
    const peer = ServiceProvider({ entityID: SP_ENTITY_ID, assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: ACS_URL }] });
    await expect(idp.parseAuthnRequest(peer, { SAMLRequest: deflateRawSync(request).toString('base64') })).rejects.toThrow();
    const clean = request.replace(/<!DOCTYPE[^\]]*\]>/, '');
    await expect(idp.parseAuthnRequest(peer, { SAMLRequest: deflateRawSync(clean).toString('base64') })).resolves.toMatchObject({ id: '_x', issuer: SP_ENTITY_ID });
  });
});

describe('samlProvidersOf', () => {
  it('builds the run-time providers from the config: metadata parsed, flags, decryption key resolved', async () => {
    const config = await buildConfig(configData(idp.metadataXml), '/virtual/broker.yaml', { env: { SP_KEY: encryption.privateKeyPem, SP_CERT: encryption.certPem } });
    const providers = samlProvidersOf(config);
    expect(Object.keys(providers)).toEqual(['corp-saml']);
    expect(providers['corp-saml']).toMatchObject({
      id: 'corp-saml',
      metadata: { entityId: idp.entityId },
      allowIdpInitiated: true,
      wantAssertionsSigned: false,
      allowSha1: false,
    });
    // The SP key the config loader read: it decrypts what is encrypted to its certificate.
    expect(providers['corp-saml']?.decryptionKey?.asymmetricKeyType).toBe('rsa');
  });

  it('names every provider whose metadata cannot be used, by path (a ConfigError, as at a cold start)', async () => {
    const data = configData('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>', { decryptionKey: undefined, decryptionCert: undefined });
    const config = await buildConfig(JSON.parse(JSON.stringify(data)), '/virtual/broker.yaml');
    expect(() => samlProvidersOf(config)).toThrow(expect.objectContaining({ name: 'ConfigError', problems: [expect.objectContaining({ path: 'providers.corp-saml.metadataXml' })] }));
  });

  it('refuses two providers with one entityID (the Issuer would be ambiguous)', async () => {
    const data = configData(idp.metadataXml, { decryptionKey: undefined, decryptionCert: undefined });
    const twice = { ...data, providers: { a: data.providers['corp-saml'], b: data.providers['corp-saml'] } };
    const config = await buildConfig(JSON.parse(JSON.stringify(twice)), '/virtual/broker.yaml');
    expect(() => samlProvidersOf(config)).toThrow(expect.objectContaining({ name: 'ConfigError', problems: [expect.objectContaining({ path: 'providers.b.metadataXml' })] }));
  });
});
