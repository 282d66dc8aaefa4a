// The structure of every ds:Signature, checked before anything of it is canonicalised or digested: xml-crypto
// canonicalises SignedInfo as it loads a signature and digests every Reference before it looks at the signature
// value, so an unverified signature must already be small and plain (docs/security.md, "CPU before any
// signature check"). Structure violations are SIGNATURE_INVALID; a method outside the allow-list is
// ALGORITHM_NOT_ALLOWED.

import type { Element, Node } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { ALG, DIGEST_METHODS, NS, SHA1_DIGEST_METHODS, SHA1_SIGNATURE_METHODS, SIGNATURE_LIMITS, SIGNATURE_METHODS } from './constants.ts';
import { attr, assertNoText, elementChildren, one, optional, sequence, textOf, type ParsedXml } from './xml.ts';

export interface SignatureShape {
  readonly signature: Element;
  /** The element the signature is enveloped in and whose ID its one Reference names. */
  readonly signed: Element;
  readonly signatureMethod: string;
  readonly digestMethod: string;
  /** exc-c14n InclusiveNamespaces PrefixList of the Reference's transform. */
  readonly inclusivePrefixes: readonly string[];
  /** The SignatureValue, whitespace removed. */
  readonly signatureValue: string;
}

const invalid = (reason: string): never => fail('SIGNATURE_INVALID', `Signature refused: ${reason}`);
// Whitespace is stripped first, so no two quantifiers can match the same characters (linear time).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const XML_WHITESPACE = /[\t\n\r ]+/g;
const PREFIX = /^(?:#default|[A-Za-z_][\w.-]{0,63})$/;

/**
 * The base64 text of `element` without its whitespace, at most `maxChars` long. The length is bounded before
 * any pattern runs; line-wrapped values (Santuario, 76 columns) and indentation keep well inside twice that.
 */
const base64Text = (element: Element, maxChars: number): string => {
  const text = textOf(element, 'SIGNATURE_INVALID');
  if (text.length > 2 * maxChars + 64) invalid(`${element.localName} is too long`);
  const compact = text.replace(XML_WHITESPACE, '');
  if (compact.length > maxChars || !BASE64.test(compact)) invalid(`${element.localName} is not base64 of a possible length`);
  return compact;
};

/**
 * Element and text floods anywhere in the signature (KeyInfo included, which xml-crypto serialises and searches
 * by XPath): refused while counting, so the count itself stays bounded.
 */
const checkSize = (signature: Element): void => {
  let elements = 0;
  let text = 0;
  const stack: Node[] = [signature];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.nodeType !== 1) {
      text += (node.nodeValue ?? '').length;
      if (text > SIGNATURE_LIMITS.maxTextChars) invalid('too much text');
      continue;
    }
    if (++elements > SIGNATURE_LIMITS.maxElements) invalid('too many elements');
    for (let child = node.firstChild; child; child = child.nextSibling) stack.push(child);
  }
};

const algorithmOf = (element: Element, allowed: Readonly<Record<string, string>>, sha1: Readonly<Record<string, string>>, allowSha1: boolean): string => {
  const algorithm = attr(element, 'Algorithm') ?? '';
  // SHA-1 collisions are practical: refused unless the operator opted in for a legacy IdP.
  if (Object.hasOwn(sha1, algorithm) && !allowSha1) fail('ALGORITHM_NOT_ALLOWED', `${element.localName} ${algorithm} (SHA-1) is not allowed`);
  if (!Object.hasOwn(allowed, algorithm) && !Object.hasOwn(sha1, algorithm)) fail('ALGORITHM_NOT_ALLOWED', `${element.localName} ${algorithm} is not allowed`);
  // HMACOutputLength and friends: truncation tricks.
  if (elementChildren(element).length > 0) invalid(`${element.localName} has parameters`);
  return algorithm;
};

/** exc-c14n only, optionally with an InclusiveNamespaces PrefixList; WithComments would read differently. */
const excC14nPrefixes = (method: Element): string[] => {
  if (attr(method, 'Algorithm') !== ALG.excC14n) invalid(`canonicalization ${attr(method, 'Algorithm') ?? ''}`);
  const [[inclusive]] = sequence(method, [optional(NS.excC14n, 'InclusiveNamespaces')], 'SIGNATURE_INVALID');
  if (!inclusive) return [];
  // Content in InclusiveNamespaces has no meaning; it would only be canonicalised before the signature is checked.
  sequence(inclusive, [], 'SIGNATURE_INVALID');
  assertNoText(inclusive, 'SIGNATURE_INVALID');
  // PrefixList flood: exc-c14n looks every name up among the ancestors' and each element's declarations.
  const prefixes = (attr(inclusive, 'PrefixList') ?? '').split(XML_WHITESPACE).filter(Boolean);
  if (prefixes.length > SIGNATURE_LIMITS.maxPrefixListNames) invalid('PrefixList names too many prefixes');
  if (!prefixes.every((p) => PREFIX.test(p))) invalid('PrefixList holds something other than prefixes');
  return prefixes;
};

const checkReference = (reference: Element, signed: Element, allowSha1: boolean): Pick<SignatureShape, 'digestMethod' | 'inclusivePrefixes'> => {
  const id = attr(signed, 'ID');
  // Wrapping: the one Reference must name the element the signature sits in, nothing elsewhere.
  if (!id || attr(reference, 'URI') !== `#${id}`) invalid('the Reference does not name its enclosing element');
  const [[transforms], [digestMethod], [digestValue]] = sequence(
    reference,
    [one(NS.ds, 'Transforms'), one(NS.ds, 'DigestMethod'), one(NS.ds, 'DigestValue')],
    'SIGNATURE_INVALID',
  );
  // Transforms: exactly enveloped-signature then exc-c14n; XPath/XSLT/Base64 transforms can select other bytes.
  const [[enveloped], [c14n]] = sequence(transforms!, [one(NS.ds, 'Transform'), one(NS.ds, 'Transform')], 'SIGNATURE_INVALID');
  if (attr(enveloped!, 'Algorithm') !== ALG.enveloped || elementChildren(enveloped!).length > 0) invalid('the first transform is not enveloped-signature');
  const inclusivePrefixes = excC14nPrefixes(c14n!);
  base64Text(digestValue!, SIGNATURE_LIMITS.maxDigestValueChars);
  return { digestMethod: algorithmOf(digestMethod!, DIGEST_METHODS, SHA1_DIGEST_METHODS, allowSha1), inclusivePrefixes };
};

const checkOne = (signature: Element, allowSha1: boolean): SignatureShape => {
  checkSize(signature);
  const signed = signature.parentNode as Element;
  // Object/Manifest can carry references to anything: only SignedInfo, SignatureValue and KeyInfo.
  const [[signedInfo], [signatureValue]] = sequence(
    signature,
    [one(NS.ds, 'SignedInfo'), one(NS.ds, 'SignatureValue'), optional(NS.ds, 'KeyInfo')],
    'SIGNATURE_INVALID',
  );
  // Exactly one Reference: a second one is either useless or a decoy (and each costs a digest).
  const [[c14n], [method], [reference]] = sequence(
    signedInfo!,
    [one(NS.ds, 'CanonicalizationMethod'), one(NS.ds, 'SignatureMethod'), one(NS.ds, 'Reference')],
    'SIGNATURE_INVALID',
  );
  excC14nPrefixes(c14n!);
  assertNoText(signedInfo!, 'SIGNATURE_INVALID');
  const value = base64Text(signatureValue!, SIGNATURE_LIMITS.maxSignatureValueChars);
  const signatureMethod = algorithmOf(method!, SIGNATURE_METHODS, SHA1_SIGNATURE_METHODS, allowSha1);
  return { signature, signed, signatureMethod, signatureValue: value, ...checkReference(reference!, signed, allowSha1) };
};

const REFERENCE_TAG = /<(?:[A-Za-z_][\w.-]*:)?Reference[\s/>]/g;

/**
 * Digest bomb fast path: a message (Response and Assertion signatures) has at most two References; hundreds
 * are refused lexically, before the parse (which alone costs milliseconds at that size). The structure check
 * below stays the authority.
 */
export const refuseReferenceFlood = (xml: string): void => {
  let count = 0;
  REFERENCE_TAG.lastIndex = 0;
  while (REFERENCE_TAG.exec(xml) !== null) if (++count > 2) invalid('more References than a SAML message has');
};

/**
 * Checks every ds:Signature of a parsed document. `signable` are the elements that may carry one (the
 * Response and the Assertion); a signature anywhere else, or two on one element, refuses the message.
 */
export const checkSignatureShapes = (parsed: ParsedXml, signable: readonly Element[], allowSha1: boolean): SignatureShape[] => {
  const seen = new Set<Element>();
  return parsed.signatures.map((signature) => {
    const parent = signature.parentNode;
    // A signature in Extensions, Advice, KeyInfo, …: the classic place for a wrapper's decoy.
    if (!parent || !signable.some((e) => e === parent)) invalid('a Signature outside the Response or Assertion');
    if (seen.has(parent as Element)) invalid('two Signatures on one element');
    seen.add(parent as Element);
    return checkOne(signature, allowSha1);
  });
};
