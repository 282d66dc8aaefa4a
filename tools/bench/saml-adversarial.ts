// The SAML messages that cost the most CPU before a refusal that we know how to build. Each is one mutation of a
// valid signed samlp:Response (its XML), most grown to the size limit (LIMITS.maxEncodedBytes of base64). None
// needs a key: most need only what anybody can read in a response (the IdP's entity ID, its shape); the last two
// reuse a genuine signature over altered content (any response the IdP ever signed will do). Shared by the security
// tests (test/security/saml-cpu.test.ts: the stable code, and the refusal before any canonicalisation) and
// `npm run bench` (tools/bench/saml-cpu.ts: CPU ms per request to the refusal). docs/security.md lists the
// bound that stops each.

import { LIMITS, SIGNATURE_LIMITS } from '../../shared/saml/constants.ts';

/** A mutation of the XML of a valid signed response, growing it to `maxBytes` of XML at most. */
export type Mutation = (xml: string, maxBytes?: number) => string;

export interface AdversarialMutation {
  readonly name: string;
  /** The attack class, as docs/security.md names it. */
  readonly attack: string;
  readonly mutate: Mutation;
}

const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** XML bytes (ASCII) that still fit the base64 limit. */
export const MAX_XML_BYTES = Math.floor(LIMITS.maxEncodedBytes / 4) * 3;

/** Characters left for attack material once `xml` and `reserve` more are in. */
const room = (xml: string, reserve: number, maxBytes: number): number => maxBytes - xml.length - reserve - 16;

/** As many pieces `unit(0)`, `unit(1)`, … as fit in `chars`, and at most `count`. */
const fill = (chars: number, unit: (i: number) => string, count = Number.POSITIVE_INFINITY): string[] => {
  const parts: string[] = [];
  for (let used = 0, i = 0; i < count; i++) {
    const part = unit(i);
    if (used + part.length > chars) break;
    parts.push(part);
    used += part.length;
  }
  return parts;
};

/** Elements that can still be added under the element-count bound: floods at their worst that the count allows. */
const elementsLeft = (xml: string): number => LIMITS.maxElements - (xml.match(/<[^/]/g) ?? []).length - 8;

/** Short distinct names: p0 … pz, p10 … (base 36). */
const name = (i: number): string => `p${i.toString(36)}`;
const declarations = (chars: number, count?: number): string => fill(chars, (i) => ` xmlns:${name(i)}="u"`, count).join('');
const prefixList = (chars: number): string => fill(chars, (i) => `${name(i)} `).join('').trimEnd();

interface Tag {
  /** Where '<' is. */
  readonly at: number;
  readonly qname: string;
  /** Just after the name: where attributes can be added. */
  readonly nameEnd: number;
  /** Just after '>'. */
  readonly contentAt: number;
  readonly empty: boolean;
}

/** The first start tag of `local`, in any prefix. */
const startTag = (xml: string, local: string): Tag => {
  const match = new RegExp(`<((?:[A-Za-z_][\\w.-]{0,40}:)?${local})(?=[\\s/>])`).exec(xml);
  if (!match) throw new Error(`the valid response has no ${local}`);
  const close = xml.indexOf('>', match.index);
  return { at: match.index, qname: match[1]!, nameEnd: match.index + match[0].length, contentAt: close + 1, empty: xml[close - 1] === '/' };
};

const splice = (xml: string, at: number, remove: number, insert: string): string => xml.slice(0, at) + insert + xml.slice(at + remove);
const withAttributes = (xml: string, local: string, attributes: string): string => splice(xml, startTag(xml, local).nameEnd, 0, attributes);
const withContentFirst = (xml: string, local: string, markup: string): string => splice(xml, startTag(xml, local).contentAt, 0, markup);
const before = (xml: string, local: string, markup: string): string => splice(xml, startTag(xml, local).at, 0, markup);
const withText = (xml: string, local: string, text: (old: string) => string): string => {
  const { contentAt } = startTag(xml, local);
  const end = xml.indexOf('<', contentAt);
  return splice(xml, contentAt, end - contentAt, text(xml.slice(contentAt, end)));
};
/** Markup in a new samlp:Extensions, where the schema allows anything (and the broker reads nothing). */
const inExtensions = (xml: string, markup: string): string => before(xml, 'Status', `<samlp:Extensions>${markup}</samlp:Extensions>`);
const EXTENSIONS = '<samlp:Extensions></samlp:Extensions>'.length;

/** SignedInfo's exc-c14n CanonicalizationMethod given an InclusiveNamespaces with this PrefixList (and content). */
const withSignedInfoPrefixList = (xml: string, prefixes: string, content = ''): string => {
  const method = startTag(xml, 'CanonicalizationMethod');
  if (!method.empty) throw new Error('the valid response has a CanonicalizationMethod with content');
  const open = xml.slice(method.at, method.contentAt - 2).trimEnd();
  const list = `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${prefixes}">${content}</ec:InclusiveNamespaces>`;
  return splice(xml, method.at, method.contentAt - method.at, `${open}>${list}</${method.qname}>`);
};
const PREFIX_LIST = 200;

// ---- base64 text ---------------------------------------------------------------------------------------------

/** "A", whitespace, "!": `[A-Za-z0-9+/\s]+={0,2}\s*$` backtracks quadratically on it (55 s at the size limit). */
export const backtrackingBase64 = (local: 'SignatureValue' | 'DigestValue'): Mutation => (xml, maxBytes = MAX_XML_BYTES) => withText(xml, local, () => `A${' '.repeat(room(xml, 2, maxBytes))}!`);

/**
 * The value, its characters spread apart by spaces to half the signature's text bound: base64 once the spaces
 * are gone, so only the value's own length bound refuses it (a padded SignatureValue would otherwise verify).
 */
export const paddedBase64 = (local: 'SignatureValue' | 'DigestValue'): Mutation => (xml) =>
  withText(xml, local, (old) => {
    const value = old.replace(/[\t\n\r =]/g, '');
    const gap = ' '.repeat(Math.floor(SIGNATURE_LIMITS.maxTextChars / 2 / value.length));
    return `${[...value].join(gap)}${old.trim().slice(value.length)}`;
  });

// ---- canonicalisation of an unverified SignedInfo --------------------------------------------------------------

/** The reported finding: thousands of namespace declarations on SignedInfo and a PrefixList of more names. */
export const signedInfoNamespacesAndPrefixList = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const budget = room(xml, PREFIX_LIST, maxBytes);
  return withAttributes(withSignedInfoPrefixList(xml, prefixList(budget * 0.55)), 'SignedInfo', declarations(budget * 0.45));
};

/** Namespace declarations on the root (in scope for every signature) and a PrefixList naming each of them. */
export const rootNamespacesAndPrefixList = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const budget = room(xml, PREFIX_LIST, maxBytes);
  const declared = declarations(budget * 0.6);
  const count = declared.split(' xmlns:').length - 1;
  return withAttributes(withSignedInfoPrefixList(xml, fill(budget * 0.4, (i) => `${name(i)} `, count).join('').trimEnd()), 'Response', declared);
};

/** A PrefixList of as many names as fit. */
export const prefixListFlood = (xml: string, maxBytes = MAX_XML_BYTES): string => withSignedInfoPrefixList(xml, prefixList(room(xml, PREFIX_LIST, maxBytes)));

/** One child element in InclusiveNamespaces (the schema gives it none): canonicalised with SignedInfo. */
export const inclusiveNamespacesChild = (xml: string): string => withSignedInfoPrefixList(xml, 'xs', '<ec:x/>');

/** As many children of InclusiveNamespaces as the element count allows. */
export const inclusiveNamespacesChildren = (xml: string, maxBytes = MAX_XML_BYTES): string => withSignedInfoPrefixList(xml, 'xs', fill(room(xml, PREFIX_LIST, maxBytes), () => '<ec:x/>', elementsLeft(xml)).join(''));

/** Attributes on SignedInfo, each in a namespace of its own: exc-c14n renders, and searches, every one. */
export const signedInfoPrefixedAttributes = (xml: string, maxBytes = MAX_XML_BYTES): string => withAttributes(xml, 'SignedInfo', fill(room(xml, 0, maxBytes), (i) => ` xmlns:${name(i)}="u${i}" ${name(i)}:a=""`).join(''));

/** Whitespace between the children of SignedInfo: canonicalised, then parsed again, by xml-crypto. */
export const signedInfoWhitespace = (xml: string, maxBytes = MAX_XML_BYTES): string => withContentFirst(xml, 'SignedInfo', ' '.repeat(room(xml, 0, maxBytes)));

/**
 * 22 namespace declarations on each of the root, the signed assertion, the first Signature and its SignedInfo:
 * no element has too many attributes, together they exceed the scope bound. Unused, so exc-c14n drops them and
 * the signature still verifies.
 */
export const namespacesOnSignedInfoAncestors = (xml: string): string => {
  const offsets = ['Response', 'Assertion', 'Signature', 'SignedInfo'].map((local) => startTag(xml, local).nameEnd);
  // Back to front, so that the offsets still to use stay valid.
  return offsets.sort((a, b) => b - a).reduce((out, at) => splice(out, at, 0, declarations(Number.POSITIVE_INFINITY, 22)), xml);
};

// ---- floods and nesting ------------------------------------------------------------------------------------------

/** As many References in the first SignedInfo as fit (copies without Transforms): a digest each in xml-crypto. */
export const referenceFlood = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const reference = startTag(xml, 'Reference');
  const end = xml.indexOf(`</${reference.qname}>`, reference.at) + `</${reference.qname}>`.length;
  const compact = xml.slice(reference.at, end).replace(/<([\w.-]+:)?Transforms>.*<\/\1?Transforms>/s, '');
  return splice(xml, end, 0, fill(room(xml, 0, maxBytes), () => compact).join(''));
};

/** Elements inside KeyInfo, the part of a signature the structure check has no schema for. */
export const keyInfoFlood = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const keyName = `<${startTag(xml, 'KeyInfo').qname.replace(/KeyInfo$/, 'KeyName')}/>`;
  return withContentFirst(xml, 'KeyInfo', fill(room(xml, 0, maxBytes), () => keyName, elementsLeft(xml)).join(''));
};

/** Text inside KeyInfo (a KeyName as long as the size allows). */
export const keyInfoText = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const keyName = startTag(xml, 'KeyInfo').qname.replace(/KeyInfo$/, 'KeyName');
  return withContentFirst(xml, 'KeyInfo', `<${keyName}>${'k'.repeat(room(xml, 2 * keyName.length + 5, maxBytes))}</${keyName}>`);
};

export const namespaceFloodOnRoot = (xml: string, maxBytes = MAX_XML_BYTES): string => withAttributes(xml, 'Response', declarations(room(xml, 0, maxBytes)));
export const attributeFloodOnRoot = (xml: string, maxBytes = MAX_XML_BYTES): string => withAttributes(xml, 'Response', fill(room(xml, 0, maxBytes), (i) => ` ${name(i)}=""`).join(''));

/** Empty elements side by side, 100 more than the element count allows (under the parser's old '<' count). */
export const elementFlood = (xml: string): string => inExtensions(xml, '<e/>'.repeat(elementsLeft(xml) + 100));

/** Elements nested as deep as the element count allows. */
export const deepNesting = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const levels = Math.min(Math.floor(room(xml, EXTENSIONS, maxBytes) / '<e></e>'.length), elementsLeft(xml));
  return inExtensions(xml, `${'<e>'.repeat(levels)}${'</e>'.repeat(levels)}`);
};

/** Nested elements that each declare a namespace: the parser keeps one scope per level and searches them all. */
export const deepNamespaces = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const opens = fill(room(xml, EXTENSIONS, maxBytes), (i) => `<e xmlns:${name(i)}="u"></e>`, elementsLeft(xml)).map((unit) => unit.slice(0, -4));
  return inExtensions(xml, `${opens.join('')}${'</e>'.repeat(opens.length)}`);
};

/** Chains as deep as the depth bound allows, each level declaring as many namespaces as an element may hold. */
export const namespacesInScopeFlood = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const level = `<e${declarations(Number.POSITIVE_INFINITY, LIMITS.maxAttributes)}>`;
  const chain = `${level.repeat(LIMITS.maxDepth - 8)}${'</e>'.repeat(LIMITS.maxDepth - 8)}`;
  return inExtensions(xml, fill(room(xml, EXTENSIONS, maxBytes), () => chain).join(''));
};

// ---- the signed element itself ------------------------------------------------------------------------------------

/**
 * Content added to the signed Assertion: SignedInfo still verifies (it is the IdP's), so the whole grown
 * assertion is canonicalised and digested before the digest fails. The cost of a signature check at the bounds.
 */
export const signedAssertionElements = (xml: string, maxBytes = MAX_XML_BYTES): string => before(xml, 'Subject', fill(room(xml, 0, maxBytes), () => '<e/>', elementsLeft(xml)).join(''));
export const signedAssertionAttributes = (xml: string, maxBytes = MAX_XML_BYTES): string => {
  const element = `<e${declarations(Number.POSITIVE_INFINITY, LIMITS.maxAttributes / 2)}${fill(Number.POSITIVE_INFINITY, (i) => ` ${name(i)}:a=""`, LIMITS.maxAttributes / 2).join('')}/>`;
  return before(xml, 'Subject', fill(room(xml, 0, maxBytes), () => element, elementsLeft(xml)).join(''));
};

/** Every mutation, in the order the bench prints them. */
export const ADVERSARIAL_SAML: readonly AdversarialMutation[] = [
  { name: 'SignatureValue: "A", 190 KB of spaces, "!"', attack: 'regular-expression backtracking', mutate: backtrackingBase64('SignatureValue') },
  { name: 'DigestValue: "A", 190 KB of spaces, "!"', attack: 'regular-expression backtracking', mutate: backtrackingBase64('DigestValue') },
  { name: 'SignatureValue: the valid value padded with spaces', attack: 'oversized base64 text', mutate: paddedBase64('SignatureValue') },
  { name: 'DigestValue: the valid value padded with spaces', attack: 'oversized base64 text', mutate: paddedBase64('DigestValue') },
  { name: 'SignedInfo: namespace declarations + a PrefixList', attack: 'canonicalisation of an unverified SignedInfo', mutate: signedInfoNamespacesAndPrefixList },
  { name: 'root: namespace declarations + a PrefixList naming them', attack: 'canonicalisation of an unverified SignedInfo', mutate: rootNamespacesAndPrefixList },
  { name: 'SignedInfo: prefixed attributes, a namespace each', attack: 'canonicalisation of an unverified SignedInfo', mutate: signedInfoPrefixedAttributes },
  { name: 'SignedInfo: whitespace between its children', attack: 'canonicalisation of an unverified SignedInfo', mutate: signedInfoWhitespace },
  { name: 'InclusiveNamespaces: one child element', attack: 'canonicalisation of an unverified SignedInfo', mutate: inclusiveNamespacesChild },
  { name: 'InclusiveNamespaces: element flood', attack: 'element or text flood in a Signature', mutate: inclusiveNamespacesChildren },
  { name: 'PrefixList flood', attack: 'canonicalisation of an unverified SignedInfo', mutate: prefixListFlood },
  { name: 'namespace declarations spread over SignedInfo and its ancestors', attack: 'namespace flood', mutate: namespacesOnSignedInfoAncestors },
  { name: 'namespace declarations in scope, 42 levels deep', attack: 'namespace flood', mutate: namespacesInScopeFlood },
  { name: 'namespace flood on the root', attack: 'namespace flood', mutate: namespaceFloodOnRoot },
  { name: 'attribute flood on the root', attack: 'attribute flood', mutate: attributeFloodOnRoot },
  { name: 'Reference flood', attack: 'reference flood', mutate: referenceFlood },
  { name: 'KeyInfo: element flood', attack: 'element or text flood in a Signature', mutate: keyInfoFlood },
  { name: 'KeyInfo: text flood', attack: 'element or text flood in a Signature', mutate: keyInfoText },
  { name: 'element flood, just over the element bound', attack: 'element flood', mutate: elementFlood },
  { name: 'deep nesting', attack: 'deep nesting', mutate: deepNesting },
  { name: 'deep nesting, a namespace per level', attack: 'deep nesting', mutate: deepNamespaces },
  { name: 'signed Assertion + elements (digest fails)', attack: 'canonicalisation of the signed element', mutate: signedAssertionElements },
  { name: 'signed Assertion + prefixed attributes (digest fails)', attack: 'canonicalisation of the signed element', mutate: signedAssertionAttributes },
];
