// Building blocks for SAML attack rows: each takes the XML of a valid signed response and applies one mutation.

import { sign } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { SamlLib } from 'samlify';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { mutateDom } from './saml-idp.ts';

export const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';

export const first = (doc: Document, ns: string, name: string): Element => {
  const found = doc.getElementsByTagNameNS(ns, name).item(0);
  if (!found) throw new Error(`no ${name} in the fixture`);
  return found;
};
export const assertionIn = (doc: Document): Element => first(doc, NS_A, 'Assertion');
export const responseIn = (doc: Document): Element => doc.documentElement!;

/** A copy of the assertion with another NameID, another ID and no signature: what a wrapper injects. */
export const evilTwin = (assertion: Element, nameId = 'admin@example.com'): Element => {
  const evil = assertion.cloneNode(true) as Element;
  evil.setAttribute('ID', '_evil');
  for (const signature of Array.from(evil.getElementsByTagNameNS(NS_DS, 'Signature'))) signature.parentNode?.removeChild(signature);
  const nameIdElement = evil.getElementsByTagNameNS(NS_A, 'NameID').item(0)!;
  nameIdElement.textContent = nameId;
  return evil;
};

export const withEvilAssertion = (xml: string, where: 'before' | 'after'): string =>
  mutateDom(xml, (doc) => {
    const assertion = assertionIn(doc);
    const evil = evilTwin(assertion);
    assertion.parentNode!.insertBefore(evil, where === 'before' ? assertion : assertion.nextSibling);
  });

/** The signed assertion moved into a container (samlp:Extensions, ds:Object, …) and an evil twin put in its place. */
export const movedInto = (xml: string, container: 'Extensions' | 'Object'): string =>
  mutateDom(xml, (doc) => {
    const assertion = assertionIn(doc);
    const response = responseIn(doc);
    const evil = evilTwin(assertion);
    response.replaceChild(evil, assertion);
    if (container === 'Extensions') {
      const extensions = doc.createElementNS(NS_P, 'samlp:Extensions');
      extensions.appendChild(assertion);
      response.insertBefore(extensions, first(doc, NS_P, 'Status'));
    } else {
      // XSW with ds:Object: the evil twin carries the original signature, whose Object holds the signed assertion.
      const signature = assertion.getElementsByTagNameNS(NS_DS, 'Signature').item(0)!.cloneNode(true) as Element;
      const object = doc.createElementNS(NS_DS, 'ds:Object');
      object.appendChild(assertion);
      signature.appendChild(object);
      evil.insertBefore(signature, evil.getElementsByTagNameNS(NS_A, 'Issuer').item(0)!.nextSibling);
    }
  });

/** A new Response (evil assertion inside) that carries the original signed Response in its Extensions. */
export const wrappedInSecondResponse = (xml: string): string =>
  mutateDom(xml, (doc) => {
    const original = responseIn(doc);
    const outer = original.cloneNode(false) as Element;
    outer.setAttribute('ID', '_outer');
    const extensions = doc.createElementNS(NS_P, 'samlp:Extensions');
    const issuer = first(doc, NS_A, 'Issuer').cloneNode(true);
    const status = first(doc, NS_P, 'Status').cloneNode(true);
    const evil = evilTwin(assertionIn(doc));
    doc.replaceChild(outer, original);
    extensions.appendChild(original);
    for (const child of [issuer, extensions, status, evil]) outer.appendChild(child);
  });

export const textReplaced = (xml: string, from: string, to: string): string => {
  if (!xml.includes(from)) throw new Error(`fixture lacks ${from}`);
  return xml.replace(from, to);
};

export const withoutSignatures = (xml: string): string =>
  mutateDom(xml, (doc) => {
    for (const signature of Array.from(doc.getElementsByTagNameNS(NS_DS, 'Signature'))) signature.parentNode!.removeChild(signature);
  });

/** Inserts raw markup into a (new) samlp:Extensions of the Response, before Status. */
export const withExtensions = (xml: string, markup: string): string => textReplaced(xml, '<samlp:Status>', `<samlp:Extensions>${markup}</samlp:Extensions><samlp:Status>`);

/**
 * The attacker's signature: the assertion's IdP signature removed, the assertion changed, and signed again by
 * samlify with the attacker's key; `keyInfoCertPem` decides which certificate KeyInfo shows.
 */
export const resignedAssertion = (xml: string, attacker: { privateKeyPem: string; certPem: string }, keyInfoCertPem: string, nameId = 'admin@example.com'): string => {
  const changed = mutateDom(xml, (doc) => {
    const assertion = assertionIn(doc);
    for (const signature of Array.from(doc.getElementsByTagNameNS(NS_DS, 'Signature'))) signature.parentNode!.removeChild(signature);
    assertion.getElementsByTagNameNS(NS_A, 'NameID').item(0)!.textContent = nameId;
  });
  const signed = SamlLib.constructSAMLSignature({
    rawSamlMessage: changed,
    referenceTagXPath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
    privateKey: attacker.privateKeyPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    signingCert: keyInfoCertPem.replace(/-----[A-Z ]+-----|\s+/g, ''),
    isBase64Output: false,
    signatureConfig: {
      prefix: 'ds',
      location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
    },
  });
  return signed;
};

/** n References in the assertion's signature (copies without Transforms, to stay under the size limit): the digest bomb. */
export const withReferences = (xml: string, n: number): string =>
  mutateDom(xml, (doc) => {
    const reference = first(doc, NS_DS, 'Reference');
    const compact = reference.cloneNode(true) as Element;
    compact.removeChild(compact.getElementsByTagNameNS(NS_DS, 'Transforms').item(0)!);
    for (let i = 1; i < n; i++) reference.parentNode!.appendChild(compact.cloneNode(true));
  });

export const nested = (depth: number): string => `${'<x:e xmlns:x="urn:x">'.repeat(depth)}${'</x:e>'.repeat(depth)}`;
export const wide = (count: number): string => `<x:w xmlns:x="urn:x">${'<x:e/>'.repeat(count)}</x:w>`;

/**
 * Edits a SignedInfo and signs it again with `privateKeyPem` (RSA-SHA256 over its exc-c14n form): the
 * Reference digests stay as the original signer computed them.
 */
export const resignSignedInfo = (xml: string, privateKeyPem: string, edit: (signedInfo: Element) => void): string =>
  mutateDom(xml, (doc) => {
    const signedInfo = first(doc, NS_DS, 'SignedInfo');
    edit(signedInfo);
    const canonical = new ExclusiveCanonicalization().process(signedInfo as never, {}) as string;
    const value = (signedInfo.parentNode as Element).getElementsByTagNameNS(NS_DS, 'SignatureValue').item(0)!;
    value.textContent = sign('sha256', Buffer.from(canonical), privateKeyPem).toString('base64');
  });
