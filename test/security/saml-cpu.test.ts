// CPU exhaustion before any signature check: one row per attack, each one mutation of a valid signed response
// (tools/bench/saml-adversarial.ts, most grown to the size limit), with the stable code it must produce AND where
// the refusal must happen — before the XML parser runs, or after it but before anything is canonicalised. Both
// are observed with spies (the parser, xml-crypto's SignedXml and exc-c14n), never with a clock: without the
// bound a row names, the message either reaches that stage or is accepted, and the row fails.
// `npm run bench` measures the same messages (CPU ms to the refusal).

import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import type { SamlValidationContext } from '../../shared/saml/types.ts';
import { validateSamlResponse } from '../../shared/saml/validate.ts';
import * as adversarial from '../../tools/bench/saml-adversarial.ts';
import { ACS_URL, NOW, SP_ENTITY_ID, contextFor, createTestIdp, encode, generateKeyPair, providerFor, type TestIdp } from '../support/saml-idp.ts';
import { createVendorIdp, type KeyPair, type VendorIdp } from '../support/saml-vendors.ts';

type Stage = 'parse' | 'canonicalisation';

interface Row {
  readonly name: string;
  readonly mutate: (xml: string) => string;
  readonly code: ErrorCode;
  /** Nothing of this stage may run before the refusal. */
  readonly before: Stage;
}

const rows: Row[] = [
  // regular-expression backtracking and oversized base64 text
  { name: 'SignatureValue: "A", spaces to the size limit, "!"', mutate: adversarial.backtrackingBase64('SignatureValue'), code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'DigestValue: "A", spaces to the size limit, "!"', mutate: adversarial.backtrackingBase64('DigestValue'), code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'SignatureValue: the valid value spread out by spaces (base64 once they are stripped)', mutate: adversarial.paddedBase64('SignatureValue'), code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'DigestValue: the valid value spread out by spaces', mutate: adversarial.paddedBase64('DigestValue'), code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  // canonicalisation of an unverified SignedInfo
  { name: 'SignedInfo: thousands of namespace declarations + a PrefixList of thousands of names', mutate: adversarial.signedInfoNamespacesAndPrefixList, code: 'SAML_INVALID', before: 'parse' },
  { name: 'root: thousands of namespace declarations + a PrefixList naming them', mutate: adversarial.rootNamespacesAndPrefixList, code: 'SAML_INVALID', before: 'parse' },
  { name: 'SignedInfo: thousands of prefixed attributes, a namespace each', mutate: adversarial.signedInfoPrefixedAttributes, code: 'SAML_INVALID', before: 'parse' },
  { name: 'SignedInfo: whitespace between its children to the size limit', mutate: adversarial.signedInfoWhitespace, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'InclusiveNamespaces: one child element', mutate: adversarial.inclusiveNamespacesChild, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'InclusiveNamespaces: thousands of child elements', mutate: adversarial.inclusiveNamespacesChildren, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'PrefixList: names to the size limit', mutate: adversarial.prefixListFlood, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  // namespace, attribute, element and reference floods; deep nesting
  { name: 'namespace declarations spread over SignedInfo and its ancestors (each element within its bound)', mutate: adversarial.namespacesOnSignedInfoAncestors, code: 'SAML_INVALID', before: 'canonicalisation' },
  { name: 'namespace declarations in scope: 32 a level, 42 levels deep', mutate: adversarial.namespacesInScopeFlood, code: 'SAML_INVALID', before: 'canonicalisation' },
  { name: 'namespace declarations on the root to the size limit', mutate: adversarial.namespaceFloodOnRoot, code: 'SAML_INVALID', before: 'parse' },
  { name: 'attributes on the root to the size limit', mutate: adversarial.attributeFloodOnRoot, code: 'SAML_INVALID', before: 'parse' },
  { name: 'References to the size limit', mutate: adversarial.referenceFlood, code: 'SIGNATURE_INVALID', before: 'parse' },
  { name: 'KeyInfo: elements up to the element bound', mutate: adversarial.keyInfoFlood, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'KeyInfo: text to the size limit', mutate: adversarial.keyInfoText, code: 'SIGNATURE_INVALID', before: 'canonicalisation' },
  { name: 'elements just over the element bound', mutate: adversarial.elementFlood, code: 'SAML_INVALID', before: 'parse' },
  { name: 'nesting up to the element bound', mutate: adversarial.deepNesting, code: 'SAML_INVALID', before: 'parse' },
  { name: 'nesting up to the element bound, a namespace declared at each level', mutate: adversarial.deepNamespaces, code: 'SAML_INVALID', before: 'parse' },
];

let idp: TestIdp;
const valid: Record<'assertion' | 'both', string> = { assertion: '', both: '' };

beforeAll(async () => {
  idp = await createTestIdp();
  valid.assertion = await idp.xml({ signing: 'assertion' });
  valid.both = await idp.xml({ signing: 'both' });
});

/** A parse of a canonical SignedInfo (read again after its signature check began), not of the message. */
const SIGNED_INFO = /^<(?:[\w.-]+:)?SignedInfo[\s>]/;

/** Calls into the parser (of the message, not of a canonical SignedInfo) and into anything that canonicalises, from here on. */
const watch = () => {
  const spies = {
    parse: vi.spyOn(DOMParser.prototype, 'parseFromString'),
    loadSignature: vi.spyOn(SignedXml.prototype, 'loadSignature'),
    getCanonXml: vi.spyOn(SignedXml.prototype, 'getCanonXml'),
    excC14n: vi.spyOn(ExclusiveCanonicalization.prototype, 'process'),
  };
  return {
    parses: () => spies.parse.mock.calls.filter(([text]) => !SIGNED_INFO.test(String(text))).length,
    canonicalisations: () => spies.loadSignature.mock.calls.length + spies.getCanonXml.mock.calls.length + spies.excC14n.mock.calls.length,
  };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(['assertion', 'both'] as const)('SAML CPU bounds (%s signed): refused early, with a stable code', (signing) => {
  it('control: the valid response is parsed, canonicalised and accepted', async () => {
    const ctx = contextFor(providerFor(idp));
    const calls = watch();
    await expect(validateSamlResponse({ samlResponse: encode(valid[signing]) }, ctx)).resolves.toMatchObject({ nameId: 'alice@example.com' });
    expect(calls.parses()).toBe(1);
    expect(calls.canonicalisations()).toBeGreaterThan(0);
  });

  it.each(rows)('$name → $code before $before', async (row) => {
    const samlResponse = encode(row.mutate(valid[signing]));
    expect(samlResponse.length).toBeLessThanOrEqual(256 * 1024);
    const ctx = contextFor(providerFor(idp));
    const calls = watch();
    await expect(validateSamlResponse({ samlResponse }, ctx)).rejects.toMatchObject({ code: row.code });
    expect(calls.canonicalisations()).toBe(0);
    if (row.before === 'parse') expect(calls.parses()).toBe(0);
  });
});

describe('SAML CPU bounds: the decrypted assertion goes through the same bounds', () => {
  let spKeys: KeyPair;
  let shibboleth: VendorIdp;

  beforeAll(async () => {
    spKeys = await generateKeyPair('broker.example.com');
    shibboleth = createVendorIdp('shibboleth', await generateKeyPair('idp.example.org'));
  });

  /** Assertion signed inside the encryption, Response unsigned: nothing is canonicalised before the decryption. */
  const encrypted = (tamper?: (assertion: string) => string): { samlResponse: string; ctx: SamlValidationContext } => ({
    samlResponse: encode(shibboleth.responseXml({ now: NOW, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, signing: 'assertion', encryptForCertPem: spKeys.certPem, ...(tamper ? { tamper } : {}) })),
    ctx: contextFor(providerFor(shibboleth, { decryptionKeyPem: spKeys.privateKeyPem, allowIdpInitiated: true }), { expectedInResponseTo: undefined }),
  });

  it('control: the encrypted assertion is decrypted, parsed and accepted', async () => {
    const { samlResponse, ctx } = encrypted();
    const calls = watch();
    await expect(validateSamlResponse({ samlResponse }, ctx)).resolves.toMatchObject({ providerId: 'corp-saml' });
    expect(calls.parses()).toBe(2);
  });

  it.each<[string, (assertion: string) => string]>([
    ['nested deeper than the bound', (a) => a.replace(/<saml2:Subject>/, `${'<e>'.repeat(200)}${'</e>'.repeat(200)}<saml2:Subject>`)],
    ['an attribute flood on the Assertion', (a) => a.replace(/<saml2:Assertion /, `<saml2:Assertion ${Array.from({ length: 2000 }, (_, i) => `a${i}=""`).join(' ')} `)],
  ])('plaintext %s → SAML_INVALID before the plaintext is parsed', async (_name, tamper) => {
    const { samlResponse, ctx } = encrypted(tamper);
    const calls = watch();
    await expect(validateSamlResponse({ samlResponse }, ctx)).rejects.toMatchObject({ code: 'SAML_INVALID' });
    expect(calls.parses()).toBe(1);
    expect(calls.canonicalisations()).toBe(0);
  });
});
