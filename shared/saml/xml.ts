// The one strict XML parse every SAML message (and IdP metadata) goes through, and the small DOM helpers the
// checks read with. Everything that is not plain namespaced elements, attributes and text is refused here,
// before any SAML or signature logic sees the document.

import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { fail, type ErrorCode } from '../errors.ts';

export interface ParseOptions {
  readonly maxDepth: number;
  readonly maxElements: number;
  /** Attributes on one element, namespace declarations included. */
  readonly maxAttributes: number;
  /** Namespace declarations on an element and its ancestors together. */
  readonly maxNamespaceDeclarations: number;
  /** Metadata files carry comments; SAML messages may not (a comment splits a signed text node). */
  readonly allowComments?: boolean;
  readonly code?: Extract<ErrorCode, 'SAML_INVALID' | 'SIGNATURE_INVALID' | 'CONFIG_INVALID'>;
  /**
   * Prefix bindings in scope where the text stands ('' is the default namespace): a decrypted element is parsed
   * in the context of its EncryptedData (XML Encryption §4.5). Only namespaces: nothing else is inherited.
   */
  readonly namespaces?: Readonly<Record<string, string>>;
}

export interface ParsedXml {
  readonly doc: Document;
  readonly root: Element;
  /** Every ID-like attribute value (ID, Id, id, wsu:Id, …) and its element; unique by construction. */
  readonly ids: ReadonlyMap<string, Element>;
  /** Every ds:Signature element, in document order, wherever it is. */
  readonly signatures: readonly Element[];
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

// Characters XML 1.0 forbids (also when written as character references, hence checked after parsing too).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const XML_DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.0\1(\s+encoding\s*=\s*(["'])utf-8\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*\?>/i;

const bad = (code: ErrorCode, reason: string): never => fail(code, `XML refused: ${reason}`);
const misplaced = (code: ErrorCode, reason: string): never => fail(code, `structure refused: ${reason}`);

/**
 * The start tag whose name begins at `from`: where it ends ('>'), how many attributes it has (one '=' each
 * outside quotes, namespace declarations included) and whether it is empty ('/>'). Exact for well-formed text;
 * a malformed tag makes the parser stop there, so what a stray quote hides is never parsed.
 */
const startTagAt = (text: string, from: number, code: ErrorCode): { end: number; attributes: number; empty: boolean } => {
  let attributes = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      i = text.indexOf(c === 0x22 ? '"' : "'", i + 1);
      if (i === -1) break;
    } else if (c === 0x3d /* = */) attributes++;
    else if (c === 0x3e /* > */) return { end: i, attributes, empty: text.charCodeAt(i - 1) === 0x2f /* / */ };
  }
  return bad(code, 'unterminated start tag');
};

/**
 * Depth, element and attribute bombs, counted on the text before the parser builds anything: xmldom resolves
 * names through one scope per open element (its cost grows with depth × elements) and stores every attribute.
 */
const scanTags = (text: string, from: number, options: ParseOptions, code: ErrorCode): void => {
  const past = (marker: string, at: number): number => {
    const found = text.indexOf(marker, at);
    return found === -1 ? bad(code, 'unterminated CDATA section or comment') : found + marker.length;
  };
  let elements = 0;
  let depth = 0;
  for (let i = text.indexOf('<', from); i !== -1; ) {
    let next: number;
    if (text.startsWith('<![CDATA[', i)) next = past(']]>', i + 9);
    else if (text.startsWith('<!--', i)) next = past('-->', i + 4);
    else if (text.charCodeAt(i + 1) === 0x2f /* / */) {
      depth = Math.max(0, depth - 1);
      next = i + 2;
    } else {
      if (++elements > options.maxElements) bad(code, 'too many elements');
      const tag = startTagAt(text, i + 1, code);
      if (tag.attributes > options.maxAttributes) bad(code, 'too many attributes on an element');
      if (depth + 1 > options.maxDepth) bad(code, 'too deep');
      if (!tag.empty) depth++;
      next = tag.end + 1;
    }
    i = text.indexOf('<', next);
  }
};

/** Cheap checks on the text itself, so that no hostile construct ever reaches the parser. */
const prescan = (text: string, options: ParseOptions, code: ErrorCode): void => {
  // Lone surrogates and control characters: smuggling and parser-differential material.
  if (!text.isWellFormed() || FORBIDDEN_CHARS.test(text)) bad(code, 'forbidden character');
  const declaration = XML_DECLARATION.exec(text);
  if (text.startsWith('<?') && !declaration) bad(code, 'XML declaration not version 1.0 / UTF-8');
  let markup = 0;
  for (let i = text.indexOf('<', declaration?.[0].length ?? 0); i !== -1; i = text.indexOf('<', i + 1)) {
    // Element-count bomb: bound the work before the parser starts (each element costs at least one '<').
    if (++markup > 2 * options.maxElements + 2) bad(code, 'too many elements');
    const next = text.charCodeAt(i + 1);
    // Processing instructions after the declaration: a hiding place for instructions to other parsers.
    if (next === 0x3f /* ? */) bad(code, 'processing instruction');
    if (next === 0x21 /* ! */) {
      // DOCTYPE / ENTITY: XXE and billion-laughs.
      if (text.startsWith('<![CDATA[', i)) continue;
      if (text.startsWith('<!--', i) && options.allowComments === true) continue;
      bad(code, text.startsWith('<!--', i) ? 'comment' : 'DOCTYPE or declaration');
    }
  }
  scanTags(text, declaration?.[0].length ?? 0, options, code);
};

const parser = (namespaces: ParseOptions['namespaces']): DOMParser =>
  new DOMParser({
    // xmldom only warns about some malformed input: every report is fatal here (it rethrows as ParseError).
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
    ...(namespaces === undefined ? {} : { xmlns: namespaces }),
  });

/** Walks the tree once, iteratively (no recursion to exhaust), enforcing the node types and bounds. */
const walk = (doc: Document, options: ParseOptions, code: ErrorCode): { ids: Map<string, Element>; signatures: Element[] } => {
  const ids = new Map<string, Element>();
  const signatures: Element[] = [];
  let elements = 0;
  // [node, depth, namespace declarations on its ancestors]
  const stack: Array<[Node, number, number]> = [];
  for (let child = doc.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === PROCESSING_INSTRUCTION_NODE && child === doc.firstChild && child.nodeName === 'xml') continue;
    if (child.nodeType === TEXT_NODE && (child.nodeValue ?? '').trim() === '') continue;
    if (child.nodeType === COMMENT_NODE && options.allowComments === true) continue;
    if (child.nodeType !== ELEMENT_NODE) bad(code, `node type ${child.nodeType} outside the root element`);
    stack.push([child, 1, 0]);
  }
  while (stack.length > 0) {
    const [node, depth, inherited] = stack.pop()!;
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      if (FORBIDDEN_CHARS.test(node.nodeValue ?? '')) bad(code, 'forbidden character reference');
      continue;
    }
    if (node.nodeType === COMMENT_NODE && options.allowComments === true) continue;
    if (node.nodeType !== ELEMENT_NODE) bad(code, `node type ${node.nodeType}`);
    const element = node as Element;
    // Depth and width bombs: bounded work for everything that walks the tree after us.
    if (depth > options.maxDepth) bad(code, 'too deep');
    if (++elements > options.maxElements) bad(code, 'too many elements');
    let namespaces = inherited;
    for (const attribute of Array.from(element.attributes)) {
      if (FORBIDDEN_CHARS.test(attribute.value)) bad(code, 'forbidden character reference in an attribute');
      if (attribute.namespaceURI === XMLNS_NS) namespaces++;
      if (attribute.namespaceURI === XMLNS_NS || (attribute.localName ?? '').toLowerCase() !== 'id') continue;
      // Duplicate IDs: the classic signature-wrapping lever (the verifier and the reader pick different twins).
      if (ids.has(attribute.value)) bad(code, 'duplicate ID');
      ids.set(attribute.value, element);
    }
    // Namespace floods: exc-c14n keeps the namespaces it has rendered in a list it copies for every child and
    // searches for every prefixed name; its cost grows with this scope (thousands cost seconds).
    if (namespaces > options.maxNamespaceDeclarations) bad(code, 'too many namespace declarations in scope');
    if (element.namespaceURI === DS_NS && element.localName === 'Signature') signatures.push(element);
    for (let child = element.lastChild; child; child = child.previousSibling) stack.push([child, depth + 1, namespaces]);
  }
  return { ids, signatures };
};

/** Parses `text` once, strictly. Every refusal is a BrokerError with `options.code` (default SAML_INVALID). */
export const parseStrictXml = (text: string, options: ParseOptions): ParsedXml => {
  const code = options.code ?? 'SAML_INVALID';
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  prescan(source, options, code);
  let doc: Document;
  try {
    doc = parser(options.namespaces).parseFromString(source, 'text/xml');
  } catch (error) {
    return fail(code, 'XML refused: not well-formed', { cause: error });
  }
  const root = doc.documentElement;
  if (!root) return bad(code, 'no root element');
  return { doc, root, ...walk(doc, options, code) };
};

// ---- reading helpers ---------------------------------------------------------------------------------------

export const isElement = (node: Node | null | undefined, ns: string, localName: string): boolean =>
  !!node && node.nodeType === ELEMENT_NODE && (node as Element).namespaceURI === ns && (node as Element).localName === localName;

export const elementChildren = (element: Element): Element[] => {
  const out: Element[] = [];
  for (let child = element.firstChild; child; child = child.nextSibling) if (child.nodeType === ELEMENT_NODE) out.push(child as Element);
  return out;
};

/** An unqualified attribute (SAML's own attributes have no namespace). */
export const attr = (element: Element, name: string): string | undefined => {
  for (const a of Array.from(element.attributes)) if (!a.namespaceURI && a.localName === name) return a.value;
  return undefined;
};

/**
 * The element's text as the signature covered it: every text and CDATA child concatenated (a comment cannot
 * split it: comments are refused at parse time). An element child where text is expected is refused.
 */
export const textOf = (element: Element, code: ErrorCode = 'SAML_INVALID'): string => {
  let text = '';
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? '';
    else if (child.nodeType === ELEMENT_NODE) misplaced(code, `element inside the text of ${element.localName}`);
  }
  return text;
};

export interface Particle {
  readonly ns: string;
  /** One name, or several for a choice. */
  readonly names: readonly string[];
  readonly min: number;
  readonly max: number;
}

export const one = (ns: string, name: string): Particle => ({ ns, names: [name], min: 1, max: 1 });
export const optional = (ns: string, name: string): Particle => ({ ns, names: [name], min: 0, max: 1 });
export const many = (ns: string, names: readonly string[], min = 0): Particle => ({ ns, names, min, max: Number.POSITIVE_INFINITY });

/**
 * Matches an element's children against a sequence of particles (a tiny content model, enough for the parts
 * of the SAML schema the broker reads). Unexpected, misplaced or repeated elements are refused: wrapping
 * attacks hide the evil twin exactly in such places. Returns the children grouped by particle.
 */
export const sequence = <const P extends readonly Particle[]>(
  element: Element,
  particles: P,
  code: ErrorCode = 'SAML_INVALID',
): { -readonly [K in keyof P]: Element[] } => {
  const children = elementChildren(element);
  let i = 0;
  const groups = particles.map((p) => {
    const group: Element[] = [];
    while (i < children.length && group.length < p.max && p.names.some((n) => isElement(children[i], p.ns, n))) group.push(children[i++]!);
    if (group.length < p.min) misplaced(code, `${element.localName} lacks ${p.names.join('|')}`);
    return group;
  });
  if (i < children.length) misplaced(code, `unexpected ${children[i]!.localName} in ${element.localName}`);
  return groups as { -readonly [K in keyof P]: Element[] };
};

/** Non-whitespace text directly inside an element whose content is elements only. */
export const assertNoText = (element: Element, code: ErrorCode = 'SAML_INVALID'): void => {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if ((child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) && (child.nodeValue ?? '').trim() !== '') {
      misplaced(code, `text inside ${element.localName}`);
    }
  }
};
