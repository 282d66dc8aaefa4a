// SAML attacks, one row each: a valid signed response from the samlify test IdP with ONE mutation, and the
// stable code it must produce. The valid responses pass in the same table.

import { ExclusiveCanonicalization } from 'xml-crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { validateSamlResponse } from '../../shared/saml/validate.ts';
import type { SamlProviderRuntime, SamlValidationContext } from '../../shared/saml/types.ts';
import {
  movedInto,
  nested,
  resignedAssertion,
  textReplaced,
  wide,
  withEvilAssertion,
  withExtensions,
  withoutSignatures,
  withReferences,
  wrappedInSecondResponse,
} from '../support/saml-attacks.ts';
import { ACS_URL, ALICE, BOB, NOW, contextFor, createTestIdp, encode, generateKeyPair, memoryReplayStore, providerFor, type TestIdp } from '../support/saml-idp.ts';

const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const minutes = (n: number): Date => new Date(NOW.getTime() + n * 60_000);

interface Row {
  readonly name: string;
  /** The posted SAMLResponse (base64). */
  readonly build: () => Promise<string>;
  /** undefined: the response is accepted. */
  readonly code?: ErrorCode;
  readonly provider?: Partial<SamlProviderRuntime>;
  readonly ctx?: Partial<SamlValidationContext>;
  readonly bareAssertionAllowed?: boolean;
}

let idp: TestIdp;
let impostor: TestIdp;
let attacker: { privateKeyPem: string; certPem: string };

beforeAll(async () => {
  idp = await createTestIdp();
  attacker = await generateKeyPair('attacker.example');
  // Same entityID, its own key: a key the metadata does not list.
  impostor = await createTestIdp({ keys: attacker });
});

const xml = (o?: Parameters<TestIdp['xml']>[0]): Promise<string> => idp.xml(o);
const mutated = (mutate: (x: string) => string, o?: Parameters<TestIdp['xml']>[0]) => async () => encode(mutate(await xml(o)));
const signedWith = (o: Parameters<TestIdp['xml']>[0]) => async () => encode(await xml(o));

const rows: Row[] = [
  // the valid inputs
  { name: 'valid: Assertion signed', build: signedWith({ signing: 'assertion' }) },
  { name: 'valid: Response signed', build: signedWith({ signing: 'response' }) },
  { name: 'valid: both signed', build: signedWith({ signing: 'both' }) },
  { name: 'valid: unsolicited, provider allows IdP-initiated', build: signedWith({ inResponseTo: undefined }), ctx: { expectedInResponseTo: undefined }, provider: { allowIdpInitiated: true } },
  { name: 'valid: base64url encoding', build: async () => Buffer.from(await xml()).toString('base64url') },
  { name: 'valid: SHA-1 where the provider allows it', build: signedWith({ signatureAlgorithm: RSA_SHA1 }), provider: { allowSha1: true } },

  // signature wrapping
  { name: 'wrapping: unsigned evil Assertion before the signed one', build: mutated((x) => withEvilAssertion(x, 'before')), code: 'SAML_INVALID' },
  { name: 'wrapping: unsigned evil Assertion after the signed one', build: mutated((x) => withEvilAssertion(x, 'after')), code: 'SAML_INVALID' },
  { name: 'wrapping: signed Assertion moved into Extensions, evil one in its place', build: mutated((x) => movedInto(x, 'Extensions')), code: 'SAML_INVALID' },
  { name: 'wrapping: signed Assertion moved into ds:Object, evil one in its place', build: mutated((x) => movedInto(x, 'Object')), code: 'SAML_INVALID' },
  { name: 'wrapping: a second Response wraps the signed one', build: mutated(wrappedInSecondResponse, { signing: 'response' }), code: 'SAML_INVALID' },
  { name: 'wrapping: the assertion twice (several assertions)', build: mutated((x) => x.replace(/(<saml:Assertion[\s\S]*<\/saml:Assertion>)/, '$1$1')), code: 'SAML_INVALID' },
  { name: 'wrapping: duplicate ID on a decoy element', build: mutated((x) => withExtensions(x, `<x:d xmlns:x="urn:x" ID="${/<saml:Assertion [^>]*ID="([^"]+)"/.exec(x)![1]}"/>`)), code: 'SAML_INVALID' },
  { name: 'wrapping: Response signature, assertion swapped for another user', build: async () => {
      const alice = await xml({ signing: 'response' });
      const bob = await xml({ signing: 'response', user: BOB });
      const bobAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(bob)![0];
      return encode(alice.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, bobAssertion));
    }, code: 'SIGNATURE_INVALID' },
  { name: 'tampering: NameID changed under the Assertion signature', build: mutated((x) => textReplaced(x, '>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>')), code: 'SIGNATURE_INVALID' },
  { name: 'tampering: Response signature fails, Assertion signature fine', build: mutated((x) => textReplaced(x, `Destination="${ACS_URL}"`, `Destination="${ACS_URL}" Consent="urn:x"`), { signing: 'both' }), code: 'SIGNATURE_INVALID' },
  { name: 'comment injection into NameID', build: mutated((x) => textReplaced(x, '>alice@example.com.evil.com<', '>alice@example.com<!---->.evil.com<'), { user: { ...ALICE, nameId: 'alice@example.com.evil.com' } }), code: 'SAML_INVALID' },

  // keys
  { name: 'keys: attacker signs, KeyInfo carries the attacker certificate', build: mutated((x) => resignedAssertion(x, attacker, attacker.certPem)), code: 'SIGNATURE_INVALID' },
  { name: 'keys: attacker signs, KeyInfo carries the real IdP certificate', build: mutated((x) => resignedAssertion(x, attacker, idp.certPem)), code: 'SIGNATURE_INVALID' },
  { name: 'keys: a response signed by a key not in the metadata', build: async () => impostor.response(), code: 'SIGNATURE_INVALID' },
  { name: 'unsigned response', build: mutated(withoutSignatures, { signing: 'both' }), code: 'SIGNATURE_INVALID' },
  { name: 'only the Response is signed, provider wants signed assertions', build: signedWith({ signing: 'response' }), provider: { wantAssertionsSigned: true }, code: 'SIGNATURE_INVALID' },
  { name: 'signature: 500 References', build: mutated((x) => withReferences(x, 500)), code: 'SIGNATURE_INVALID' },
  { name: 'signature: XPath transform', build: mutated((x) => textReplaced(x, 'Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', 'Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"')), code: 'SIGNATURE_INVALID' },
  { name: 'signature: exc-c14n WithComments', build: mutated((x) => textReplaced(x, 'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', 'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"')), code: 'SIGNATURE_INVALID' },
  { name: 'signature: Reference to another element', build: mutated((x) => x.replace(/<ds:Reference URI="#[^"]+"/, `<ds:Reference URI="#${/<samlp:Response [^>]*ID="([^"]+)"/.exec(x)![1]}"`)), code: 'SIGNATURE_INVALID' },
  { name: 'SHA-1 when not allowed', build: signedWith({ signatureAlgorithm: RSA_SHA1 }), code: 'ALGORITHM_NOT_ALLOWED' },

  // semantics, each signed by the IdP with one field changed
  { name: 'status: Responder', build: signedWith({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder', signing: 'both' }), code: 'SAML_STATUS_NOT_SUCCESS' },
  { name: 'issuer: assertion from another entity', build: signedWith({ assertionIssuer: 'https://other-idp.example.com' }), code: 'ISSUER_MISMATCH' },
  { name: 'issuer: unknown IdP', build: signedWith({ issuer: 'https://unknown.example.com' }), code: 'UNKNOWN_PROVIDER' },
  { name: 'audience: another SP', build: signedWith({ audiences: ['urn:example:other-sp'] }), code: 'AUDIENCE_MISMATCH' },
  { name: 'audience: no AudienceRestriction', build: signedWith({ audiences: null }), code: 'AUDIENCE_MISMATCH' },
  { name: 'destination: another ACS (signed Response)', build: signedWith({ signing: 'response', destination: 'https://evil.example.com/acs' }), code: 'DESTINATION_MISMATCH' },
  { name: 'destination: missing on a signed Response', build: signedWith({ signing: 'response', destination: null }), code: 'DESTINATION_MISMATCH' },
  { name: 'destination: another ACS (unsigned Response)', build: signedWith({ destination: 'https://evil.example.com/acs' }), code: 'DESTINATION_MISMATCH' },
  { name: 'recipient: another ACS', build: signedWith({ recipient: 'https://evil.example.com/acs' }), code: 'RECIPIENT_MISMATCH' },
  { name: 'holder-of-key confirmation', build: signedWith({ confirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }), code: 'SAML_INVALID' },
  { name: 'SubjectConfirmationData without NotOnOrAfter', build: signedWith({ subjectNotOnOrAfter: null }), code: 'SAML_INVALID' },
  { name: 'no Conditions', build: signedWith({ conditions: false }), code: 'SAML_INVALID' },
  { name: 'NotBefore in the future', build: signedWith({ notBefore: minutes(10) }), code: 'TOKEN_NOT_YET_VALID' },
  { name: 'expired', build: signedWith({ issueInstant: minutes(-8), notOnOrAfter: minutes(-2), subjectNotOnOrAfter: minutes(-2) }), code: 'TOKEN_EXPIRED' },
  { name: 'too old', build: signedWith({ issueInstant: minutes(-20), notBefore: minutes(-20) }), code: 'TOKEN_TOO_OLD' },
  { name: 'IssueInstant in the future', build: signedWith({ issueInstant: minutes(5) }), code: 'TOKEN_NOT_YET_VALID' },
  { name: 'InResponseTo of another request', build: signedWith({ inResponseTo: '_req-someone-else' }), code: 'IN_RESPONSE_TO_MISMATCH' },
  { name: 'unsolicited, provider does not allow it', build: signedWith({ inResponseTo: undefined }), ctx: { expectedInResponseTo: undefined }, code: 'UNSOLICITED_RESPONSE' },
  { name: 'an answer to a request this browser did not make', build: signedWith({}), ctx: { expectedInResponseTo: undefined }, provider: { allowIdpInitiated: true }, code: 'IN_RESPONSE_TO_MISMATCH' },

  // parser
  { name: 'DOCTYPE with entities (billion laughs)', build: mutated((x) => `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${x.replace('>alice@example.com<', '>&b;<')}`), code: 'SAML_INVALID' },
  { name: 'external entity (XXE)', build: mutated((x) => `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${x.replace('>alice@example.com<', '>&x;<')}`), code: 'SAML_INVALID' },
  { name: 'processing instruction', build: mutated((x) => textReplaced(x, '<saml:Subject>', '<?xml-stylesheet href="evil"?><saml:Subject>')), code: 'SAML_INVALID' },
  { name: 'control character (character reference)', build: mutated((x) => textReplaced(x, '>alice@example.com</saml:NameID>', '>alice@example.com&#1;</saml:NameID>')), code: 'SAML_INVALID' },
  { name: 'oversized', build: async () => (await idp.response()) + 'A'.repeat(256 * 1024), code: 'PAYLOAD_TOO_LARGE' },
  { name: 'deep document', build: mutated((x) => withExtensions(x, nested(60))), code: 'SAML_INVALID' },
  { name: 'wide document', build: mutated((x) => withExtensions(x, wide(6000))), code: 'SAML_INVALID' },
  { name: 'malformed base64', build: async () => `${(await idp.response()).slice(0, 100)}!!${(await idp.response()).slice(100)}`, code: 'SAML_INVALID' },
  { name: 'not XML at all', build: async () => encode('alice@example.com'), code: 'SAML_INVALID' },
  { name: 'bare Assertion where a Response is required', build: mutated((x) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(x)![0].replace('<saml:Assertion ', '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ')), code: 'SAML_INVALID' },
];

describe('SAML attacks: one mutation of a valid signed response each', () => {
  it.each(rows)('$name', async (row) => {
    const provider = providerFor(idp, row.provider);
    const ctx = contextFor(provider, row.ctx);
    const outcome = validateSamlResponse({ samlResponse: await row.build(), bareAssertionAllowed: row.bareAssertionAllowed }, ctx);
    if (row.code === undefined) await expect(outcome).resolves.toMatchObject({ providerId: provider.id, nameId: 'alice@example.com' });
    else await expect(outcome).rejects.toMatchObject({ code: row.code });
  });

  it('refuses 500 References before anything is canonicalised', async () => {
    // Made before the spy: the test IdP canonicalises as it signs.
    const samlResponse = encode(withReferences(await xml(), 500));
    const control = await idp.response();
    const canonicalise = vi.spyOn(ExclusiveCanonicalization.prototype, 'process');
    await expect(validateSamlResponse({ samlResponse }, contextFor(providerFor(idp)))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(canonicalise.mock.calls.length).toBe(0);
    // the control: a valid response is canonicalised (SignedInfo, then the signed element) through the same spy
    await validateSamlResponse({ samlResponse: control }, contextFor(providerFor(idp)));
    expect(canonicalise.mock.calls.length).toBe(2);
    canonicalise.mockRestore();
  });

  it('refuses a flood of References even when the parser would accept the document', async () => {
    const samlResponse = encode(withReferences(await xml(), 3));
    const canonicalise = vi.spyOn(ExclusiveCanonicalization.prototype, 'process');
    await expect(validateSamlResponse({ samlResponse }, contextFor(providerFor(idp)))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(canonicalise.mock.calls.length).toBe(0);
    canonicalise.mockRestore();
  });

  it('refuses the same response a second time (REPLAY_DETECTED from the store)', async () => {
    const ctx = contextFor(providerFor(idp));
    const samlResponse = await idp.response();
    await expect(validateSamlResponse({ samlResponse }, ctx)).resolves.toMatchObject({ nameId: 'alice@example.com' });
    await expect(validateSamlResponse({ samlResponse }, ctx)).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
  });

  it('keeps the replay record of an assertion valid until 9999 only while its IssueInstant age allows it', async () => {
    const replay = memoryReplayStore();
    const ctx = contextFor(providerFor(idp), { replay });
    const far = new Date('9999-12-31T23:59:59Z');
    await expect(validateSamlResponse({ samlResponse: await idp.response({ notOnOrAfter: far, subjectNotOnOrAfter: far }) }, ctx)).resolves.toMatchObject({ nameId: 'alice@example.com' });
    // IssueInstant (NOW) + maxAssertionAgeSeconds (600) + skew (60): after that TOKEN_TOO_OLD refuses it anyway.
    expect([...replay.keys.values()]).toEqual([new Date(NOW.getTime() + 660_000)]);
  });

  it('accepts a bare signed Assertion only where allowed (POST /token)', async () => {
    const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(await xml({ inResponseTo: undefined }))![0].replace('<saml:Assertion ', '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ');
    const ctx = contextFor(providerFor(idp, { allowIdpInitiated: true }), { expectedInResponseTo: undefined });
    await expect(validateSamlResponse({ samlResponse: encode(assertion), bareAssertionAllowed: true }, ctx)).resolves.toMatchObject({ nameId: 'alice@example.com' });
  });
});

