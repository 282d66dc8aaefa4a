// samlify's schema validator, for the tools and tests that use samlify (the development and test IdPs, the bench):
// samlify refuses to parse anything without one, and gets the broker's own strict structural check — one strict
// parse, a SAML root, at most one assertion, signatures only where the broker accepts them — so that nothing samlify
// parses escapes the checks the broker applies. Importing this module registers it. The broker itself does not use
// samlify at run time (shared/saml/service-provider.ts writes its SP documents; shared/saml/validate.ts validates).

import { fail } from '../../shared/errors.ts';
import { LIMITS, NS } from '../../shared/saml/constants.ts';
import { checkSignatureShapes } from '../../shared/saml/signature-shape.ts';
import { elementChildren, isElement, parseStrictXml } from '../../shared/saml/xml.ts';
import { setSchemaValidator } from 'samlify';

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

setSchemaValidator({ validate: validateSamlStructure });
