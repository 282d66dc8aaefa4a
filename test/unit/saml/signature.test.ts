// What is verified must be what the structure check accepted: the Reference is read again from the canonical
// SignedInfo (the signed bytes) and compared with the checked shape. Each row starts from the shape of a valid
// signature and changes one thing about what the structure check reported; the signature must then be refused.
import type { KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { parseIdpMetadata } from '../../../shared/saml/metadata.ts';
import { checkSignatureShapes, type SignatureShape } from '../../../shared/saml/signature-shape.ts';
import { verifySignature } from '../../../shared/saml/signature.ts';
import { parseStrictXml } from '../../../shared/saml/xml.ts';
import { createTestIdp, type TestIdp } from '../../support/saml-idp.ts';

let idp: TestIdp;
let keys: readonly KeyObject[];

beforeAll(async () => {
  idp = await createTestIdp();
  keys = parseIdpMetadata(idp.metadataXml).signingKeys;
});

/** The checked shape of the Assertion's signature in a fresh parse of a valid response. */
const assertionShape = async (): Promise<SignatureShape> => {
  const parsed = parseStrictXml(await idp.xml({ signing: 'assertion' }), LIMITS);
  const assertion = parsed.doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion').item(0)!;
  const [shape] = checkSignatureShapes(parsed, [parsed.root, assertion], false);
  return shape!;
};

describe('verifySignature', () => {
  it('verifies the shape the structure check accepted', async () => {
    const shape = await assertionShape();
    expect(() => verifySignature(shape, keys)).not.toThrow();
  });

  it.each<[string, (shape: SignatureShape) => SignatureShape]>([
    ['another PrefixList than the Reference carries', (s) => ({ ...s, inclusivePrefixes: ['xs'] })],
    ['another signed element than the Reference names', (s) => ({ ...s, signed: s.signed.ownerDocument!.documentElement! })],
  ])('refuses a shape that differs from the signed SignedInfo: %s', async (_name, change) => {
    const shape = change(await assertionShape());
    expect(() => verifySignature(shape, keys)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });
});
