// Verifies one ds:Signature whose structure `checkSignatureShapes` already accepted, with xml-crypto (SignedXml
// loads the signature and canonicalises SignedInfo; its exc-c14n renders the signed element) on the nodes of our
// one parse, and a key from the provider's metadata only (KeyInfo is never read). The digest is computed over
// the very element the broker then reads, so what is read is what was signed. SignedXml.checkSignature is not
// used: it re-parses the document and resolves the Reference by XPath ID search, ~90 % of its cost (see
// tools/local/dev-saml-bench.ts).

import { createHash, createPublicKey, timingSafeEqual, verify as verifyRaw, type KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { fail } from '../errors.ts';
import { ALG } from './constants.ts';
import type { SignatureShape } from './signature-shape.ts';
import { attr, elementChildren } from './xml.ts';

type SignatureAlgorithmClass = SignedXml['SignatureAlgorithms'][string];
type HashAlgorithmClass = SignedXml['HashAlgorithms'][string];
// xml-crypto is typed against the DOM lib's Node; @xmldom/xmldom 0.9 nodes are structurally the same thing.
type CryptoNode = Parameters<SignedXml['getCanonXml']>[1];
type CryptoElement = Parameters<ExclusiveCanonicalization['process']>[0];

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

const hashClass = (uri: string, name: string): HashAlgorithmClass =>
  class {
    getAlgorithmName = (): string => uri;
    getHash = (xml: string): string => createHash(name).update(xml, 'utf8').digest('base64');
  };

const rsaClass = (uri: string, name: string): SignatureAlgorithmClass =>
  class {
    getAlgorithmName = (): string => uri;
    getSignature = (): never => {
      throw new Error('verification only');
    };
    verifySignature = (material: string, key: KeyObject, signatureValue: string): boolean =>
      verifyRaw(name, Buffer.from(material, 'utf8'), key, Buffer.from(signatureValue, 'base64'));
  } as unknown as SignatureAlgorithmClass;

// Our own small implementations, one per allowed URI, so that xml-crypto can use nothing else.
const SIGNATURE_CLASSES: Readonly<Record<string, SignatureAlgorithmClass>> = {
  [ALG.rsaSha1]: rsaClass(ALG.rsaSha1, 'sha1'),
  [ALG.rsaSha256]: rsaClass(ALG.rsaSha256, 'sha256'),
  [ALG.rsaSha384]: rsaClass(ALG.rsaSha384, 'sha384'),
  [ALG.rsaSha512]: rsaClass(ALG.rsaSha512, 'sha512'),
};
const HASH_CLASSES: Readonly<Record<string, HashAlgorithmClass>> = {
  [ALG.sha1]: hashClass(ALG.sha1, 'sha1'),
  [ALG.sha256]: hashClass(ALG.sha256, 'sha256'),
  [ALG.sha384]: hashClass(ALG.sha384, 'sha384'),
  [ALG.sha512]: hashClass(ALG.sha512, 'sha512'),
};

const TRANSFORMS: SignedXml['CanonicalizationAlgorithms'] = {
  [ALG.excC14n]: ExclusiveCanonicalization,
  [ALG.enveloped]: new SignedXml().CanonicalizationAlgorithms[ALG.enveloped]!,
};

const keys = new Map<string, KeyObject | null>();
/** The RSA public key of a metadata certificate (null for other key types: only RSA methods are allowed). */
const rsaKeyOf = (pem: string): KeyObject | null => {
  let key = keys.get(pem);
  if (key === undefined) {
    const candidate = createPublicKey(pem);
    key = candidate.asymmetricKeyType === 'rsa' ? candidate : null;
    keys.set(pem, key);
  }
  return key;
};

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

/** A SignedXml for one signature and one metadata key, knowing only the algorithms the shape check accepted. */
const verifierFor = (shape: SignatureShape, key: KeyObject): SignedXml => {
  // publicCert from the metadata only; KeyInfo is never consulted.
  const verifier = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  verifier.SignatureAlgorithms = { [shape.signatureMethod]: SIGNATURE_CLASSES[shape.signatureMethod]! };
  verifier.HashAlgorithms = { [shape.digestMethod]: HASH_CLASSES[shape.digestMethod]! };
  verifier.CanonicalizationAlgorithms = TRANSFORMS;
  verifier.loadSignature(shape.signature as unknown as CryptoNode);
  return verifier;
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
    const options = { inclusiveNamespacesPrefixList, ancestorNamespaces: ancestorNamespaces(signed), defaultNsForPrefix: SignedXml.defaultNsForPrefix };
    return new ExclusiveCanonicalization().process(signed as unknown as CryptoElement, options).toString();
  } finally {
    // exc-c14n copies the ancestors' declarations of PrefixList prefixes onto the element: taken off again.
    for (const a of Array.from(signed.attributes)) if (a.namespaceURI === XMLNS_NS && !declared.has(a.name)) signed.removeAttributeNode(a);
    signed.insertBefore(signature, next);
  }
};

/**
 * XMLDSig core validation on the already-parsed nodes: the SignatureValue over the canonical SignedInfo, then
 * the digest of the exact element the broker will read (the signature's parent; no ID lookup, no second
 * parse). False when this key did not make the signature; a refusal when the signed content was altered.
 */
const verifyWith = (shape: SignatureShape, key: KeyObject): boolean => {
  const verifier = verifierFor(shape, key);
  const [reference, ...more] = verifier.getReferences();
  // What xml-crypto loaded from the canonical SignedInfo must be what the structure check accepted.
  const transforms = reference?.transforms.join(' ');
  if (!reference || more.length > 0 || reference.uri !== `#${attr(shape.signed, 'ID') ?? ''}` || reference.digestAlgorithm !== shape.digestMethod || transforms !== `${ALG.enveloped} ${ALG.excC14n}`) {
    return fail('SIGNATURE_INVALID', 'the canonical SignedInfo differs from the checked structure');
  }
  const [signedInfo] = elementChildren(shape.signature);
  const signedInfoCanon = verifier.getCanonXml([ALG.excC14n], signedInfo as unknown as CryptoNode, { ancestorNamespaces: ancestorNamespaces(signedInfo!) });
  const signer = new SIGNATURE_CLASSES[shape.signatureMethod]!();
  if (!signer.verifySignature(signedInfoCanon, key, shape.signatureValue)) return false;
  const canonical = canonicalSigned(shape, reference.inclusiveNamespacesPrefixList);
  const digest = new HASH_CLASSES[shape.digestMethod]!().getHash(canonical);
  // Tampering (or wrapping): the IdP signed other bytes than the element we would read.
  if (!sameBase64(digest, String(reference.digestValue))) fail('SIGNATURE_INVALID', 'the Reference digest does not match');
  return true;
};

/**
 * Verifies `shape` with each metadata certificate in turn (key rollover). Refuses with SIGNATURE_INVALID
 * when no certificate verifies it.
 */
export const verifySignature = (shape: SignatureShape, certificates: readonly string[]): void => {
  for (const pem of certificates) {
    const key = rsaKeyOf(pem);
    if (key && verifyWith(shape, key)) return;
  }
  fail('SIGNATURE_INVALID', 'no metadata key verifies the signature');
};
