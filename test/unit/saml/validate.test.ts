import type { Element } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { parseIdpMetadata, rsaSigningKeysOf } from '../../../shared/saml/metadata.ts';
import { checkSignatureShapes } from '../../../shared/saml/signature-shape.ts';
import { verifySignature } from '../../../shared/saml/signature.ts';
import { validateSamlResponse } from '../../../shared/saml/validate.ts';
import { parseStrictXml, type ParsedXml } from '../../../shared/saml/xml.ts';
import { resignSignedInfo, withoutSignatures } from '../../support/saml-attacks.ts';
import { ATTR, NOW, contextFor, createTestIdp, encode, generateKeyPair, memoryReplayStore, mutateDom, providerFor, type TestIdp } from '../../support/saml-idp.ts';

let idp: TestIdp;
let spKeys: { privateKeyPem: string; certPem: string };
let otherKeys: { privateKeyPem: string; certPem: string };

beforeAll(async () => {
  idp = await createTestIdp();
  spKeys = await generateKeyPair('broker.example.com');
  otherKeys = await generateKeyPair('old-key.example.com');
});

/** A response whose assertion signature lists `xs` in its PrefixList, declared on the Response (as Okta does). */
const prefixListSigned = async (): Promise<string> => {
  const unsigned = withoutSignatures(await idp.xml()).replace(' xmlns:xs="http://www.w3.org/2001/XMLSchema"', '').replace('<samlp:Response ', '<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema" ');
  const signer = new SignedXml({ privateKey: idp.privateKeyPem, signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#' });
  signer.addReference({
    xpath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    inclusiveNamespacesPrefixList: ['xs'],
  });
  signer.computeSignature(unsigned, { prefix: 'ds', location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  // xml-crypto's signer also puts an InclusiveNamespaces under enveloped-signature, which no IdP does: drop it.
  return resignSignedInfo(signer.getSignedXml(), idp.privateKeyPem, (signedInfo) => {
    const junk = signedInfo.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'InclusiveNamespaces').item(0)!;
    junk.parentNode!.removeChild(junk);
  });
};
const assertionOf = (parsed: ParsedXml): Element => parsed.doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion').item(0)!;

describe('validateSamlResponse: the identity', () => {
  it('returns the verified identity with docs/rules.md, the claims object raw claims', async () => {
    const identity = await validateSamlResponse({ samlResponse: await idp.response() }, contextFor(providerFor(idp)));
    expect(identity).toMatchObject({
      providerId: 'corp-saml',
      issuer: idp.entityId,
      nameId: 'alice@example.com',
      inResponseTo: '_req-4f1c2a',
      notOnOrAfter: new Date(NOW.getTime() + 300_000),
      sessionNotOnOrAfter: new Date(NOW.getTime() + 8 * 3600_000),
      authnContextClassRef: 'https://refeds.org/profile/mfa',
    });
    expect({ ...identity.rawClaims }).toEqual({
      sub: ['alice@example.com'],
      iss: [idp.entityId],
      acr: ['https://refeds.org/profile/mfa'],
      [ATTR.email]: ['alice@example.com'],
      [ATTR.groups]: ['aws-dev', 'eng-platform'],
      [ATTR.amr]: ['mfa'],
      [ATTR.department]: ['Platform'],
    });
  });

  it('claims the assertion ID once, until the earliest NotOnOrAfter plus the clock skew', async () => {
    const replay = memoryReplayStore();
    const identity = await validateSamlResponse({ samlResponse: await idp.response({ notOnOrAfter: new Date(NOW.getTime() + 120_000) }) }, contextFor(providerFor(idp), { replay }));
    expect(identity.notOnOrAfter).toEqual(new Date(NOW.getTime() + 120_000));
    expect([...replay.keys]).toEqual([[`saml:corp-saml:${identity.assertionId}`, new Date(NOW.getTime() + 180_000)]]);
  });

  it('does not claim the assertion ID when a check fails', async () => {
    const replay = memoryReplayStore();
    await expect(validateSamlResponse({ samlResponse: await idp.response({ recipient: 'https://evil/acs' }) }, contextFor(providerFor(idp), { replay }))).rejects.toMatchObject({ code: 'RECIPIENT_MISMATCH' });
    expect(replay.keys.size).toBe(0);
  });

  it('picks the provider whose metadata entityID is the Issuer', async () => {
    const second = await createTestIdp({ entityId: 'https://second.example.com/saml' });
    const ctx = contextFor(providerFor(idp));
    const providers = { ...ctx.providers, second: { ...providerFor(second), id: 'second' } };
    await expect(validateSamlResponse({ samlResponse: await second.response() }, { ...ctx, providers })).resolves.toMatchObject({ providerId: 'second' });
  });

  it('accepts an assertion signed with a stronger algorithm (RSA-SHA512)', async () => {
    const samlResponse = await idp.response({ signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512' });
    await expect(validateSamlResponse({ samlResponse }, contextFor(providerFor(idp)))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });
});

describe('validateSamlResponse: keys', () => {
  it('verifies with any metadata signing certificate (rollover: the old one listed first)', async () => {
    const provider = providerFor(idp);
    const rollover = { ...provider, metadata: { ...provider.metadata, signingCerts: [otherKeys.certPem, idp.certPem], signingKeys: rsaSigningKeysOf([otherKeys.certPem, idp.certPem]) } };
    await expect(validateSamlResponse({ samlResponse: await idp.response() }, contextFor(rollover))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });

  it('ignores non-RSA certificates in the metadata', async () => {
    const ec = await generate([{ name: 'commonName', value: 'ec.example.com' }], { keyType: 'ec', curve: 'P-256' });
    const provider = providerFor(idp);
    const mixed = { ...provider, metadata: { ...provider.metadata, signingCerts: [ec.cert, idp.certPem], signingKeys: rsaSigningKeysOf([ec.cert, idp.certPem]) } };
    await expect(validateSamlResponse({ samlResponse: await idp.response() }, contextFor(mixed))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });

  it('refuses when the signing key has rolled out of the metadata', async () => {
    const provider = providerFor(idp);
    const rolled = { ...provider, metadata: { ...provider.metadata, signingCerts: [otherKeys.certPem], signingKeys: rsaSigningKeysOf([otherKeys.certPem]) } };
    await expect(validateSamlResponse({ samlResponse: await idp.response() }, contextFor(rolled))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('verifies an exc-c14n InclusiveNamespaces PrefixList whose prefix is declared above the assertion', async () => {
    const signed = await prefixListSigned();
    expect(signed).toContain('PrefixList="xs"');
    await expect(validateSamlResponse({ samlResponse: encode(signed) }, contextFor(providerFor(idp)))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });

  it('leaves the parsed document as it was: the Signature back in place, no declaration copied from above', async () => {
    const parsed = parseStrictXml(await prefixListSigned(), LIMITS);
    const before = parsed.root.toString();
    for (const shape of checkSignatureShapes(parsed, [parsed.root, assertionOf(parsed)], false)) verifySignature(shape, parseIdpMetadata(idp.metadataXml).signingKeys);
    expect(parsed.root.toString()).toBe(before);
  });

  it('accepts a Response-only signature only where the provider does not want signed assertions', async () => {
    const samlResponse = await idp.response({ signing: 'both' });
    await expect(validateSamlResponse({ samlResponse }, contextFor(providerFor(idp, { wantAssertionsSigned: true })))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });
});

describe('validateSamlResponse: EncryptedAssertion', () => {
  const encrypted = (o: Parameters<TestIdp['xml']>[0] = {}) => idp.xml({ encryptForCertPem: spKeys.certPem, ...o });
  const withKey = () => providerFor(idp, { decryptionKeyPem: spKeys.privateKeyPem });

  it('decrypts a signed assertion (AES-256-GCM, RSA-OAEP) and validates it like any other', async () => {
    const xml = await encrypted();
    expect(xml).toContain('EncryptedAssertion');
    await expect(validateSamlResponse({ samlResponse: encode(xml) }, contextFor(withKey()))).resolves.toMatchObject({ nameId: 'alice@example.com', rawClaims: { [ATTR.amr]: ['mfa'] } });
  });

  it('accepts an encrypted assertion covered by the Response signature (encrypt then sign)', async () => {
    const samlResponse = encode(await encrypted({ signing: 'response' }));
    await expect(validateSamlResponse({ samlResponse }, contextFor(withKey()))).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });

  it('refuses an encrypted, unsigned assertion in an unsigned Response', async () => {
    const samlResponse = encode(withoutSignatures(await encrypted({ signing: 'response' })));
    await expect(validateSamlResponse({ samlResponse }, contextFor(withKey()))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('refuses an encrypted assertion when no decryption key is configured', async () => {
    await expect(validateSamlResponse({ samlResponse: encode(await encrypted()) }, contextFor(providerFor(idp)))).rejects.toMatchObject({ code: 'SAML_INVALID' });
  });

  it('refuses an encrypted assertion for another key', async () => {
    const ctx = contextFor(providerFor(idp, { decryptionKeyPem: otherKeys.privateKeyPem }));
    await expect(validateSamlResponse({ samlResponse: encode(await encrypted()) }, ctx)).rejects.toMatchObject({ code: 'SAML_INVALID' });
  });

  it('refuses AES-CBC content encryption', async () => {
    const cbc = (await encrypted()).replace('http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc');
    await expect(validateSamlResponse({ samlResponse: encode(cbc) }, contextFor(withKey()))).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
  });

  it('refuses a tampered ciphertext (GCM tag)', async () => {
    const xml = await encrypted();
    const tampered = mutateDom(xml, (doc) => {
      const values = doc.getElementsByTagNameNS('http://www.w3.org/2001/04/xmlenc#', 'CipherValue');
      const data = values.item(values.length - 1)!;
      const bytes = Buffer.from(data.textContent!.replace(/\s+/g, ''), 'base64');
      bytes[20] = bytes[20]! ^ 1;
      data.textContent = bytes.toString('base64');
    });
    await expect(validateSamlResponse({ samlResponse: encode(tampered) }, contextFor(withKey()))).rejects.toMatchObject({ code: 'SAML_INVALID' });
  });

  it('refuses an EncryptedAssertion next to a plain one', async () => {
    const plain = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(await idp.xml())![0];
    const both = (await encrypted()).replace('</samlp:Response>', `${plain}</samlp:Response>`);
    await expect(validateSamlResponse({ samlResponse: encode(both) }, contextFor(withKey()))).rejects.toMatchObject({ code: 'SAML_INVALID' });
  });
});
