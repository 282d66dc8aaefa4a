import { describe, expect, it } from 'vitest';
import type { Element } from '@xmldom/xmldom';
import { checkSignatureShapes } from '../../../shared/saml/signature-shape.ts';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { parseStrictXml } from '../../../shared/saml/xml.ts';

const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENV = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const reference = `<ds:Reference URI="#_r"><ds:Transforms><ds:Transform Algorithm="${ENV}"/><ds:Transform Algorithm="${EXC}"/></ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>`;
const signedInfo = `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC}"/><ds:SignatureMethod Algorithm="${RSA256}"/>${reference}</ds:SignedInfo>`;
const signature = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signedInfo}<ds:SignatureValue>AAAA</ds:SignatureValue><ds:KeyInfo><ds:KeyName>k</ds:KeyName></ds:KeyInfo></ds:Signature>`;
const response = (sig: string, inside = '') =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0"><saml:Issuer>x</saml:Issuer>${sig}${inside}</samlp:Response>`;

const shapes = (xml: string, allowSha1 = false) => {
  const parsed = parseStrictXml(xml, LIMITS);
  return checkSignatureShapes(parsed, [parsed.root as Element], allowSha1);
};
const code = (xml: string, allowSha1 = false): string | undefined => {
  try {
    shapes(xml, allowSha1);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('checkSignatureShapes', () => {
  it('accepts the one enveloped, exc-c14n, single-Reference shape and reports its methods', () => {
    expect(shapes(response(signature))).toMatchObject([{ signatureMethod: RSA256, digestMethod: SHA256, inclusivePrefixes: [] }]);
  });

  it('reads the InclusiveNamespaces PrefixList of the reference transform', () => {
    const withPrefixes = signature.replace(`<ds:Transform Algorithm="${EXC}"/>`, `<ds:Transform Algorithm="${EXC}"><ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="xs  saml"/></ds:Transform>`);
    expect(shapes(response(withPrefixes))[0]!.inclusivePrefixes).toEqual(['xs', 'saml']);
  });

  it.each<[string, string, string]>([
    ['two References', response(signature.replace(reference, reference + reference)), 'SIGNATURE_INVALID'],
    ['no Reference', response(signature.replace(reference, '')), 'SIGNATURE_INVALID'],
    ['two SignedInfo', response(signature.replace(signedInfo, signedInfo + signedInfo)), 'SIGNATURE_INVALID'],
    ['a ds:Object', response(signature.replace('</ds:Signature>', '<ds:Object/></ds:Signature>')), 'SIGNATURE_INVALID'],
    ['a Reference to another element', response(signature.replace('URI="#_r"', 'URI="#_a"')), 'SIGNATURE_INVALID'],
    ['an empty Reference URI (whole document)', response(signature.replace('URI="#_r"', 'URI=""')), 'SIGNATURE_INVALID'],
    ['no Transforms', response(signature.replace(/<ds:Transforms>.*<\/ds:Transforms>/, '')), 'SIGNATURE_INVALID'],
    ['only the enveloped transform', response(signature.replace(`<ds:Transform Algorithm="${EXC}"/>`, '')), 'SIGNATURE_INVALID'],
    ['the transforms in the wrong order', response(signature.replace(`<ds:Transform Algorithm="${ENV}"/><ds:Transform Algorithm="${EXC}"/>`, `<ds:Transform Algorithm="${EXC}"/><ds:Transform Algorithm="${ENV}"/>`)), 'SIGNATURE_INVALID'],
    ['inclusive c14n', response(signature.replace(`CanonicalizationMethod Algorithm="${EXC}"`, 'CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"')), 'SIGNATURE_INVALID'],
    ['HMACOutputLength', response(signature.replace(`<ds:SignatureMethod Algorithm="${RSA256}"/>`, `<ds:SignatureMethod Algorithm="${RSA256}"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>`)), 'SIGNATURE_INVALID'],
    ['a DigestValue that is not base64', response(signature.replace('<ds:DigestValue>AAAA', '<ds:DigestValue>!!')), 'SIGNATURE_INVALID'],
    ['a signature outside the Response and Assertion', response('', `<samlp:Extensions>${signature}</samlp:Extensions>`), 'SIGNATURE_INVALID'],
    ['two signatures on one element', response(signature + signature), 'SIGNATURE_INVALID'],
    ['an HMAC signature method', response(signature.replace(RSA256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1')), 'ALGORITHM_NOT_ALLOWED'],
    ['an unknown digest', response(signature.replace(SHA256, 'http://www.w3.org/2001/04/xmldsig-more#md5')), 'ALGORITHM_NOT_ALLOWED'],
    ['a SHA-1 digest under an RSA-SHA256 signature', response(signature.replace(SHA256, 'http://www.w3.org/2000/09/xmldsig#sha1')), 'ALGORITHM_NOT_ALLOWED'],
  ])('refuses %s', (_name, xml, expected) => expect(code(xml)).toBe(expected));

  const withPrefixList = (list: string, content = ''): string =>
    response(signature.replace(`<ds:Transform Algorithm="${EXC}"/>`, `<ds:Transform Algorithm="${EXC}"><ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${list}">${content}</ec:InclusiveNamespaces></ds:Transform>`));
  const withValue = (element: 'SignatureValue' | 'DigestValue', value: string): string => response(signature.replace(new RegExp(`<ds:${element}>AAAA<`), `<ds:${element}>${value}<`));
  const names = (n: number): string => Array.from({ length: n }, (_, i) => `p${i}`).join(' ');

  it.each<[string, string]>([
    ['a PrefixList of 33 names', withPrefixList(names(33))],
    ['a PrefixList naming something other than a prefix', withPrefixList('xs saml:Assertion')],
    ['a PrefixList with #all', withPrefixList('#all')],
    ['an element in InclusiveNamespaces', withPrefixList('xs', '<ec:x/>')],
    ['text in InclusiveNamespaces', withPrefixList('xs', 'saml')],
    ['a SignatureValue longer than RSA-8192', withValue('SignatureValue', 'A'.repeat(1372))],
    ['a SignatureValue padded to more than twice that with whitespace', withValue('SignatureValue', `A${' '.repeat(2800)}AAA`)],
    ['"A", 100,000 spaces, "!" (polynomial for an overlapping pattern)', withValue('SignatureValue', `A${' '.repeat(100_000)}!`)],
    ['a SignatureValue with a non-ASCII space', withValue('SignatureValue', 'AA\u00a0AA')],
    ['a DigestValue longer than SHA-512', withValue('DigestValue', 'A'.repeat(92))],
    ['more elements in the Signature than the bound', response(signature.replace('<ds:KeyName>k</ds:KeyName>', '<ds:KeyName/>'.repeat(60)))],
    ['more text in the Signature than the bound', response(signature.replace('<ds:KeyName>k</ds:KeyName>', `<ds:KeyName>${'k'.repeat(33 * 1024)}</ds:KeyName>`))],
  ])('refuses %s before anything is canonicalised', (_name, xml) => expect(code(xml)).toBe('SIGNATURE_INVALID'));

  it('accepts the bounds themselves: 32 PrefixList names, #default, RSA-8192 and SHA-512 values, line-wrapped base64', () => {
    expect(shapes(withPrefixList(`${names(31)} #default`))[0]!.inclusivePrefixes).toHaveLength(32);
    const wrapped = `\n${'A'.repeat(1364).replace(/.{76}/g, '$&&#13;\n')}AAAA\n`;
    expect(shapes(withValue('SignatureValue', wrapped))[0]!.signatureValue).toBe('A'.repeat(1368));
    expect(code(withValue('DigestValue', `${'A'.repeat(86)}==`))).toBeUndefined();
  });

  it('allows SHA-1 methods only when the provider does', () => {
    const sha1 = response(signature.replace(RSA256, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1').replace(SHA256, 'http://www.w3.org/2000/09/xmldsig#sha1'));
    expect(code(sha1)).toBe('ALGORITHM_NOT_ALLOWED');
    expect(code(sha1, true)).toBeUndefined();
  });

  it('accepts the stronger RSA-SHA384/512 and SHA-384/512 methods', () => {
    const strong = response(signature.replace(RSA256, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512').replace(SHA256, 'http://www.w3.org/2001/04/xmldsig-more#sha384'));
    expect(code(strong)).toBeUndefined();
  });
});
