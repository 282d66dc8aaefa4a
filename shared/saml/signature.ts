// Verifies one ds:Signature whose structure `checkSignatureShapes` already accepted, on the nodes of our one parse,
// with a key from the provider's metadata only (KeyInfo is never read): exc-c14n of SignedInfo (xml-crypto's
// ExclusiveCanonicalization), the SignatureValue over those bytes (node:crypto), and the digest of the very element
// the broker then reads, so what is read is what was signed. The Reference is read from the signed bytes themselves
// (the canonical SignedInfo, parsed again) and must be the one the structure check accepted. xml-crypto's SignedXml
// is not used: checkSignature re-parses the document and resolves the Reference by XPath ID search, ~90 % of its cost
// (see tools/local/dev-saml-bench.ts), and loadSignature brings a second copy of xmldom (0.8) into the bundle.

import { createHash, timingSafeEqual, verify as verifyRaw, type KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
// The module itself, not the package index: the index loads SignedXml, and with it xmldom 0.8.
import { ExclusiveCanonicalization } from 'xml-crypto/lib/exclusive-canonicalization.js';
import { fail } from '../errors.ts';
import { ALG, DIGEST_METHODS, NS, SHA1_DIGEST_METHODS, SHA1_SIGNATURE_METHODS, SIGNATURE_LIMITS, SIGNATURE_METHODS } from './constants.ts';
import type { SignatureShape } from './signature-shape.ts';
import { attr, elementChildren, one, optional, parseStrictXml, sequence, textOf } from './xml.ts';

// xml-crypto is typed against the DOM lib's Node; @xmldom/xmldom 0.9 nodes are structurally the same thing.
type CryptoElement = Parameters<ExclusiveCanonicalization['process']>[0];

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Node's name of each hash an allowed SignatureMethod or DigestMethod uses (SHA-1 only where the shape check let it through). */
const HASHES: Readonly<Record<string, string>> = { ...SIGNATURE_METHODS, ...SHA1_SIGNATURE_METHODS, ...DIGEST_METHODS, ...SHA1_DIGEST_METHODS };
/** As xml-crypto's SignedXml.defaultNsForPrefix: what exc-c14n assumes for a `ds:` name without a namespace. */
const DEFAULT_NS_FOR_PREFIX = { ds: NS.ds };
const XML_WHITESPACE = /[\t\n\r ]+/;
/** The canonical SignedInfo as parsed again: SignedInfo, its three children, Transforms' two, InclusiveNamespaces. */
const SIGNED_INFO_LIMITS = { maxDepth: 5, maxElements: SIGNATURE_LIMITS.maxElements, maxAttributes: SIGNATURE_LIMITS.maxPrefixListNames + 8, maxNamespaceDeclarations: SIGNATURE_LIMITS.maxPrefixListNames + 8, code: 'SIGNATURE_INVALID' } as const;

/** Namespaces in scope above `element` (nearest first wins), minus those it declares itself. */
const ancestorNamespaces = (element: Element): Array<{ prefix: string; namespaceURI: string }> => {
  const own = new Set(Array.from(element.attributes).filter((a) => a.namespaceURI === XMLNS_NS).map((a) => a.localName ?? ''));
  const found = new Map<string, string>();
  for (let node = element.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    for (const a of Array.from((node as Element).attributes)) {
      const prefix = a.localName ?? '';
      if (a.namespaceURI !== XMLNS_NS || a.prefix !== 'xmlns' || own.has(prefix) || found.has(prefix)) continue;
      found.set(prefix, a.value);
    }
  }
  return [...found].filter(([, uri]) => uri !== '').map(([prefix, namespaceURI]) => ({ prefix, namespaceURI }));
};

const sameBase64 = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b.replace(/\s+/g, ''), 'base64');
  return x.length > 0 && x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The Reference's transforms, enveloped-signature then exc-c14n, applied to the signed element where it stands:
 * the Signature is taken out while exc-c14n renders the element, then everything is put back as it was.
 * (xml-crypto's getCanonXml deep-clones the element first, which with xmldom 0.9 costs more than parsing the
 * whole message: 25–50 ms for an assertion at the element bound.)
 */
const canonicalSigned = (shape: SignatureShape, inclusiveNamespacesPrefixList: string[]): string => {
  const { signed, signature } = shape;
  const declared = new Set(Array.from(signed.attributes).filter((a) => a.namespaceURI === XMLNS_NS).map((a) => a.name));
  const next = signature.nextSibling;
  signed.removeChild(signature);
  try {
    const options = { inclusiveNamespacesPrefixList, ancestorNamespaces: ancestorNamespaces(signed), defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX };
    return new ExclusiveCanonicalization().process(signed as unknown as CryptoElement, options).toString();
  } finally {
    // exc-c14n copies the ancestors' declarations of PrefixList prefixes onto the element: taken off again.
    for (const a of Array.from(signed.attributes)) if (a.namespaceURI === XMLNS_NS && !declared.has(a.name)) signed.removeAttributeNode(a);
    signed.insertBefore(signature, next);
  }
};

/** exc-c14n of SignedInfo where it stands, as xml-crypto's getCanonXml does it: on a copy (PrefixList prefixes get declared on it). */
const canonicalSignedInfo = (signedInfo: Element): string =>
  new ExclusiveCanonicalization().process(signedInfo.cloneNode(true) as unknown as CryptoElement, { ancestorNamespaces: ancestorNamespaces(signedInfo), defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX }).toString();

interface SignedReference {
  readonly uri: string | undefined;
  readonly transforms: string;
  readonly inclusivePrefixes: readonly string[];
  readonly digestMethod: string | undefined;
  readonly digestValue: string;
}

/** The one Reference as the signed bytes state it: the canonical SignedInfo parsed again, read by namespace. */
const signedReference = (canonical: string): SignedReference => {
  const { root } = parseStrictXml(canonical, SIGNED_INFO_LIMITS);
  if (root.namespaceURI !== NS.ds || root.localName !== 'SignedInfo') return fail('SIGNATURE_INVALID', 'the canonical SignedInfo is not a SignedInfo');
  const [, , [reference]] = sequence(root, [one(NS.ds, 'CanonicalizationMethod'), one(NS.ds, 'SignatureMethod'), one(NS.ds, 'Reference')], 'SIGNATURE_INVALID');
  const [[transforms], [digestMethod], [digestValue]] = sequence(reference!, [one(NS.ds, 'Transforms'), one(NS.ds, 'DigestMethod'), one(NS.ds, 'DigestValue')], 'SIGNATURE_INVALID');
  const [[enveloped], [c14n]] = sequence(transforms!, [one(NS.ds, 'Transform'), one(NS.ds, 'Transform')], 'SIGNATURE_INVALID');
  const [[inclusive]] = sequence(c14n!, [optional(NS.excC14n, 'InclusiveNamespaces')], 'SIGNATURE_INVALID');
  return {
    uri: attr(reference!, 'URI'),
    transforms: `${attr(enveloped!, 'Algorithm') ?? ''} ${attr(c14n!, 'Algorithm') ?? ''}`,
    inclusivePrefixes: (inclusive === undefined ? '' : (attr(inclusive, 'PrefixList') ?? '')).split(XML_WHITESPACE).filter(Boolean),
    digestMethod: attr(digestMethod!, 'Algorithm'),
    digestValue: textOf(digestValue!, 'SIGNATURE_INVALID'),
  };
};

const samePrefixes = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * XMLDSig core validation on the already-parsed nodes: the SignatureValue over the canonical SignedInfo, then
 * the digest of the exact element the broker will read (the signature's parent; no ID lookup, no second
 * parse of the message). False when this key did not make the signature; a refusal when the signed content was altered.
 */
const verifyWith = (shape: SignatureShape, key: KeyObject, signedInfoCanon: string, reference: SignedReference): boolean => {
  if (!verifyRaw(HASHES[shape.signatureMethod]!, Buffer.from(signedInfoCanon, 'utf8'), key, Buffer.from(shape.signatureValue, 'base64'))) return false;
  const canonical = canonicalSigned(shape, [...reference.inclusivePrefixes]);
  const digest = createHash(HASHES[shape.digestMethod]!).update(canonical, 'utf8').digest('base64');
  // Tampering (or wrapping): the IdP signed other bytes than the element we would read.
  if (!sameBase64(digest, reference.digestValue)) fail('SIGNATURE_INVALID', 'the Reference digest does not match');
  return true;
};

/**
 * Verifies `shape` with each RSA key of the metadata's signing certificates in turn (key rollover; IdpMetadata
 * signingKeys). Refuses with SIGNATURE_INVALID when no key verifies it.
 */
export const verifySignature = (shape: SignatureShape, keys: readonly KeyObject[]): void => {
  const [signedInfo] = elementChildren(shape.signature);
  const signedInfoCanon = canonicalSignedInfo(signedInfo!);
  const reference = signedReference(signedInfoCanon);
  // A parser differential between the structure check and the signed bytes (wrapping by another route): the Reference
  // read from the signed bytes must name the checked element, PrefixList, transforms and digest method (the last two
  // are bound by the digest as well).
  if (
    reference.uri !== `#${attr(shape.signed, 'ID') ?? ''}` ||
    reference.digestMethod !== shape.digestMethod ||
    reference.transforms !== `${ALG.enveloped} ${ALG.excC14n}` ||
    !samePrefixes(reference.inclusivePrefixes, shape.inclusivePrefixes)
  ) {
    fail('SIGNATURE_INVALID', 'the canonical SignedInfo differs from the checked structure');
  }
  for (const key of keys) if (verifyWith(shape, key, signedInfoCanon, reference)) return;
  fail('SIGNATURE_INVALID', 'no metadata key verifies the signature');
};
