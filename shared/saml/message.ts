// The outer shape of a SAML message: a samlp:Response (or a bare saml:Assertion for /token) whose children
// follow the schema's order, with exactly one assertion, plain or encrypted, in the one place it may be.

import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { NS, STATUS_SUCCESS } from './constants.ts';
import { attr, assertNoText, isElement, many, one, optional, sequence, type ParsedXml } from './xml.ts';

export interface ResponseView {
  readonly element: Element;
  readonly issuer?: Element | undefined;
  readonly destination?: string | undefined;
  readonly inResponseTo?: string | undefined;
}

export interface MessageView {
  readonly response?: ResponseView | undefined;
  /** Exactly one of these. */
  readonly assertion?: Element | undefined;
  readonly encryptedAssertion?: Element | undefined;
}

const statusOf = (status: Element): string => {
  const [[code]] = sequence(status, [one(NS.protocol, 'StatusCode'), optional(NS.protocol, 'StatusMessage'), optional(NS.protocol, 'StatusDetail')]);
  return attr(code!, 'Value') ?? '';
};

/** Every Assertion, EncryptedAssertion and Response in the document, wherever hidden. */
const countEverywhere = (parsed: ParsedXml): number =>
  parsed.doc.getElementsByTagNameNS(NS.assertion, 'Assertion').length +
  parsed.doc.getElementsByTagNameNS(NS.assertion, 'EncryptedAssertion').length +
  parsed.doc.getElementsByTagNameNS(NS.protocol, 'Response').length;

/** Reads the message frame; the status is checked first so that an IdP's error reply says so. */
export const readMessage = (parsed: ParsedXml, bareAssertionAllowed: boolean): MessageView => {
  const { root } = parsed;
  if (isElement(root, NS.assertion, 'Assertion') && bareAssertionAllowed) {
    // Wrapping: a second assertion anywhere (Advice, SubjectConfirmationData, …) is refused outright.
    if (countEverywhere(parsed) !== 1) fail('SAML_INVALID', 'more than one assertion');
    return { assertion: root };
  }
  if (!isElement(root, NS.protocol, 'Response')) return fail('SAML_INVALID', 'the root is not samlp:Response');
  if (attr(root, 'Version') !== '2.0' || !attr(root, 'ID')) fail('SAML_INVALID', 'Response lacks Version 2.0 or ID');
  assertNoText(root);
  const [issuer, , , [status], assertions] = sequence(root, [
    optional(NS.assertion, 'Issuer'),
    optional(NS.ds, 'Signature'),
    optional(NS.protocol, 'Extensions'),
    one(NS.protocol, 'Status'),
    many(NS.assertion, ['Assertion', 'EncryptedAssertion']),
  ]);
  // An IdP's refusal (Requester, Responder, AuthnFailed, …) never becomes a sign-in.
  if (statusOf(status!) !== STATUS_SUCCESS) fail('SAML_STATUS_NOT_SUCCESS', 'SAML status is not Success');
  // Wrapping: exactly one assertion, as a direct child of the one Response, and none hidden elsewhere.
  if (assertions!.length !== 1 || countEverywhere(parsed) !== 2) fail('SAML_INVALID', 'a Response must carry exactly one assertion');
  const only = assertions![0]!;
  return {
    response: { element: root, issuer: issuer![0], destination: attr(root, 'Destination'), inResponseTo: attr(root, 'InResponseTo') },
    ...(only.localName === 'Assertion' ? { assertion: only } : { encryptedAssertion: only }),
  };
};
