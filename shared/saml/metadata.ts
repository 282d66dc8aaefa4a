// IdP metadata (operator-supplied, parsed once per cold start): the entityID, every signing certificate (all
// of them, for key rollover) and the SSO endpoints. Only keys from here ever verify a SAML signature.

import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { BINDING_POST, BINDING_REDIRECT, METADATA_LIMITS, NS } from './constants.ts';
import { attr, elementChildren, isElement, parseStrictXml, textOf } from './xml.ts';

export interface IdpMetadata {
  readonly entityId: string;
  /** PEM certificates from every KeyDescriptor with use="signing" or no use. */
  readonly signingCerts: readonly string[];
  /** Their RSA public keys, parsed once here (only RSA signature methods are allowed: other key types are left out). */
  readonly signingKeys: readonly KeyObject[];
  readonly ssoRedirectUrl?: string | undefined;
  readonly ssoPostUrl?: string | undefined;
}

const invalid = (reason: string, cause?: unknown): never => fail('CONFIG_INVALID', `IdP metadata: ${reason}`, cause === undefined ? undefined : { cause });

const toPem = (base64: string): string => {
  const compact = base64.replace(/\s+/g, '');
  let der: Buffer;
  try {
    der = Buffer.from(compact, 'base64');
    new X509Certificate(der);
  } catch (error) {
    return invalid('an X509Certificate is not a certificate', error);
  }
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
};

const certificatesOf = (keyDescriptor: Element): string[] =>
  elementChildren(keyDescriptor)
    .filter((e) => isElement(e, NS.ds, 'KeyInfo'))
    .flatMap(elementChildren)
    .filter((e) => isElement(e, NS.ds, 'X509Data'))
    .flatMap(elementChildren)
    .filter((e) => isElement(e, NS.ds, 'X509Certificate'))
    .map((e) => toPem(textOf(e, 'CONFIG_INVALID')));

const idpDescriptorOf = (root: Element): Element => {
  const descriptors = elementChildren(root).filter(
    (e) => isElement(e, NS.metadata, 'IDPSSODescriptor') && (attr(e, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(NS.protocol),
  );
  if (descriptors.length !== 1) invalid('needs exactly one IDPSSODescriptor supporting SAML 2.0');
  return descriptors[0]!;
};

/** The RSA public keys of PEM certificates, in their order; certificates of other key types verify nothing. */
export const rsaSigningKeysOf = (certificates: readonly string[]): KeyObject[] =>
  certificates
    .map((pem) => {
      try {
        return createPublicKey(pem);
      } catch (error) {
        return invalid('a signing certificate has a public key Node cannot read', error);
      }
    })
    .filter((key) => key.asymmetricKeyType === 'rsa');

/** Parses IdP metadata strictly (same parser as messages, comments allowed). Refusals are CONFIG_INVALID. */
export const parseIdpMetadata = (xml: string): IdpMetadata => {
  if (xml.length > METADATA_LIMITS.maxEncodedBytes) invalid('too large');
  const { root } = parseStrictXml(xml, { ...METADATA_LIMITS, allowComments: true, code: 'CONFIG_INVALID' });
  if (!isElement(root, NS.metadata, 'EntityDescriptor')) invalid('the root must be md:EntityDescriptor (aggregates are not supported)');
  const entityId = attr(root, 'entityID');
  if (!entityId || entityId.length > 1024) invalid('entityID is missing or too long');
  const idp = idpDescriptorOf(root);
  const keyDescriptors = elementChildren(idp).filter((e) => isElement(e, NS.metadata, 'KeyDescriptor'));
  const signing = keyDescriptors.filter((k) => (attr(k, 'use') ?? 'signing') === 'signing');
  const signingCerts = [...new Set(signing.flatMap(certificatesOf))];
  if (signingCerts.length === 0) invalid('no signing certificate');
  const sso = (binding: string): string | undefined =>
    elementChildren(idp).find((e) => isElement(e, NS.metadata, 'SingleSignOnService') && attr(e, 'Binding') === binding)?.getAttribute('Location') ?? undefined;
  return { entityId: entityId!, signingCerts, signingKeys: rsaSigningKeysOf(signingCerts), ssoRedirectUrl: sso(BINDING_REDIRECT), ssoPostUrl: sso(BINDING_POST) };
};
