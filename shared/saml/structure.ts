// The strict structural check of a SAML message, for callers that parse with another library: samlify calls it
// as its schema validator (sp.ts registers it) before it parses anything.

import { fail } from '../errors.ts';
import { LIMITS, NS } from './constants.ts';
import { checkSignatureShapes } from './signature-shape.ts';
import { elementChildren, isElement, parseStrictXml } from './xml.ts';

const PROTOCOL_ROOTS = ['AuthnRequest', 'Response', 'LogoutRequest', 'LogoutResponse'];

/**
 * One strict parse (no DOCTYPE, PI, comment, duplicate ID; bounded), a SAML root, at most one assertion,
 * signatures only on the root or its assertion and each with the one-Reference enveloped shape. Resolves on
 * success, rejects otherwise (samlify's contract).
 */
export const validateSamlStructure = async (xml: string): Promise<string> => {
  const parsed = parseStrictXml(xml, LIMITS);
  const { root, doc } = parsed;
  const isProtocolRoot = PROTOCOL_ROOTS.some((name) => isElement(root, NS.protocol, name));
  if (!isProtocolRoot && !isElement(root, NS.assertion, 'Assertion')) fail('SAML_INVALID', 'not a SAML message');
  const assertions = doc.getElementsByTagNameNS(NS.assertion, 'Assertion').length + doc.getElementsByTagNameNS(NS.assertion, 'EncryptedAssertion').length;
  if (assertions > 1) fail('SAML_INVALID', 'more than one assertion');
  const signable = [root, ...elementChildren(root).filter((e) => isElement(e, NS.assertion, 'Assertion'))];
  checkSignatureShapes(parsed, signable, true);
  return 'valid';
};
