// SAML responses shaped as six real identity providers emit them: AD FS, Microsoft Entra ID, Okta, Google
// Workspace, Keycloak and Shibboleth IdP v4/v5. Each is rendered with that IdP's prefixes, namespace
// declarations, attribute order, ID and time formats, attribute typing, statement order and signature layout,
// and signed (with xml-crypto's SignedXml) where that IdP signs, with the test key. Shibboleth encrypts the
// assertion (RSA-OAEP + AES-GCM) as it does by default. Times come from the caller, keys from the caller.
//
// What each vendor really sends (the quirks a strict validator must accept):
// - AD FS: unprefixed Issuer/Assertion in the default namespace, Consent on the Response, indented output (the
//   whitespace between elements is signed content), AttributeStatement before AuthnStatement, KeyInfo in the default xmldsig namespace,
//   3-digit milliseconds, no SessionNotOnOrAfter, assertion signed (rsa-sha256, exc-c14n, enveloped).
// - Entra ID: like AD FS without Consent; 7-digit fractional seconds (.NET ticks), Signature in the default
//   xmldsig namespace (no prefix), assertion signed by default, the Response too when configured.
// - Okta: saml2p/saml2 prefixes, saml2 re-declared on every child, Format=entity on both Issuers, xs declared
//   on the Response and the Assertion and listed in the InclusiveNamespaces PrefixList, xs:string-typed
//   values declaring xs/xsi themselves, NameFormat unspecified, Response and Assertion signed.
// - Google Workspace: `standalone="no"` declaration, ds prefix, X509SubjectName in KeyInfo, xs:anyType values,
//   AttributeStatement only for mapped attributes, AuthnContextClassRef unspecified; assertion signed by
//   default, the Response only when "Signed response" is ticked.
// - Keycloak: dsig prefix, `ID_<uuid>` IDs, the Assertion re-declaring the assertion namespace as default while
//   using saml:, one Attribute per role (same Name), values declaring xs/xsi themselves, KeyName in KeyInfo,
//   SessionNotOnOrAfter, base64 wrapped with &#13; (Santuario on JDK 11+), Response and Assertion signed ("Sign
//   documents" is on by default, "Sign assertions" is a switch), encrypted assertions written in place.
// - Shibboleth IdP: saml2p/saml2, EncryptedAssertion (RSA-OAEP + AES-GCM) whose inner assertion is signed,
//   Response signed, NameID with NameQualifier/SPNameQualifier, Address on SubjectConfirmationData,
//   SubjectLocality, FriendlyName + urn:oid names, xsd:string values, eduPersonTargetedID as a nested NameID,
//   Santuario line breaks inside ds:Signature, PrefixList="xsd".

import { constants, createCipheriv, publicEncrypt, randomBytes, randomUUID, sign as rsaSign, X509Certificate } from 'node:crypto';
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';

export const VENDORS = ['adfs', 'entra', 'okta', 'google', 'keycloak', 'shibboleth'] as const;
export type Vendor = (typeof VENDORS)[number];
export type Signing = 'assertion' | 'response' | 'both';

export interface KeyPair {
  readonly privateKeyPem: string;
  readonly certPem: string;
}

const NS_P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
const NS_XENC = 'http://www.w3.org/2001/04/xmlenc#';
const NS_XENC11 = 'http://www.w3.org/2009/xmlenc11#';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NS_XS = 'http://www.w3.org/2001/XMLSchema';
const NS_MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

export const NAMEID = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;
export const ATTRNAME = {
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;
export const AC = {
  ppt: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  windows: 'urn:federation:authentication:windows',
  msMfa: 'http://schemas.microsoft.com/claims/multipleauthn',
  refedsMfa: 'https://refeds.org/profile/mfa',
} as const;

// ---- what a response says ----------------------------------------------------------------------------------

/**
 * One AttributeValue. A string is typed the way the vendor types strings; the object forms force a shape:
 * `type: null` untyped, `nil` an xsi:nil value, `nameId` a nested NameID (eduPersonTargetedID).
 */
export type AttributeValueSpec =
  | string
  | { readonly text: string; readonly type: string | null }
  | { readonly nil: true }
  | { readonly nameId: string; readonly format: string; readonly nameQualifier?: string; readonly spNameQualifier?: string };

export interface VendorAttribute {
  readonly name: string;
  readonly friendlyName?: string;
  readonly nameFormat?: string;
  readonly values: readonly AttributeValueSpec[];
}

export interface VendorUser {
  readonly nameId: string;
  readonly nameIdFormat: string;
  /** NameQualifier, SPNameQualifier, SPProvidedID on the NameID (values may contain `{idp}` and `{sp}`). */
  readonly nameIdQualifiers?: Readonly<Record<string, string>>;
  readonly attributes: readonly VendorAttribute[];
  readonly authnContextClassRef?: string;
}

export interface EncryptionStyle {
  /** AES-GCM (xmlenc11); AES-256-CBC is what AD FS and Entra ID use when token encryption is on. */
  readonly data: 'aes128-gcm' | 'aes256-gcm' | 'aes256-cbc';
  /** `rsa-oaep-mgf1p` (xmlenc), `rsa-oaep` (xmlenc11, with an explicit MGF) or the legacy `rsa-1_5`. */
  readonly keyTransport: 'rsa-oaep-mgf1p' | 'rsa-oaep' | 'rsa-1_5';
  /** The OAEP DigestMethod (default SHA-1). */
  readonly oaepDigest?: 'sha1' | 'sha256';
  /** xmlenc11 rsa-oaep only: the MGF1 hash (default: the digest's); null omits the MGF element (meaning MGF1-SHA1). */
  readonly mgf?: 'sha1' | 'sha256' | null;
  /** EncryptedKey inside EncryptedData's KeyInfo, or beside EncryptedData (with a RetrievalMethod). */
  readonly keyPlacement: 'inline' | 'peer';
}

/** A fragment in the vendor's assertion prefix (`a` is `saml2:`, `saml:` or `` for the default namespace). */
type Fragment = (a: string) => string;

export interface VendorResponseOptions {
  /** The IdP's clock. */
  readonly now: Date;
  readonly spEntityId: string;
  readonly acsUrl: string;
  /** The AuthnRequest ID; undefined for an IdP-initiated (unsolicited) response. */
  readonly inResponseTo?: string | undefined;
  readonly user?: VendorUser;
  readonly signing?: Signing;
  readonly fractionDigits?: 0 | 3 | 7;
  readonly pretty?: boolean;
  /** The SP encryption certificate: required to encrypt (Shibboleth always does, others with `encrypt: true`). */
  readonly encryptForCertPem?: string;
  readonly encrypt?: boolean;
  readonly encryption?: Partial<EncryptionStyle>;
  /**
   * Encrypted assertions: whether the inner assertion is signed (default: unless `signing` is 'response').
   * Shibboleth's stock relying party signs only the Response (signAssertions=false): `false` renders that.
   */
  readonly signInnerAssertion?: boolean;
  /** Default: one AudienceRestriction naming the SP. */
  readonly audienceRestrictions?: ReadonlyArray<readonly string[]>;
  readonly extraConditions?: Fragment;
  readonly advice?: Fragment;
  /** More statements after the vendor's own (e.g. a second AttributeStatement). */
  readonly extraStatements?: Fragment;
  /** Replaces the content of AuthnContext. */
  readonly authnContext?: Fragment;
  /** Replaces the content of Status (`p` is the protocol prefix with colon). */
  readonly status?: (p: string) => string;
  readonly responseAttributes?: Readonly<Record<string, string>>;
  readonly sessionNotOnOrAfter?: boolean;
  readonly confirmationNotBefore?: boolean;
  readonly issuerFormat?: boolean;
  /** Applied to the signed XML (for an encrypted assertion: to the signed inner assertion, before encryption). */
  readonly tamper?: (signedXml: string) => string;
}

// ---- how each vendor writes it -----------------------------------------------------------------------------

export interface SignatureStyle {
  /** Prefix of the xmldsig elements ('' = default namespace). */
  readonly ds: string;
  readonly inclusivePrefixes: readonly string[];
  /** The content of ds:KeyInfo; `d` is the ds prefix with colon. */
  readonly keyInfo: (cert: string, d: string) => string;
  /** AD FS: KeyInfo declares the xmldsig namespace as default instead of using the prefix. */
  readonly keyInfoDefaultNs?: boolean;
  /** Santuario: a newline after every element inside ds:Signature. */
  readonly lineBreaks?: boolean;
  /** Base64 of SignatureValue and X509Certificate wrapped at 76 characters. */
  readonly wrap?: boolean;
  /** Santuario on JDK 11+: the wrapped lines end in &#13; (CR as a character reference). */
  readonly carriageReturns?: boolean;
}

export interface Dialect {
  readonly declaration: string;
  /** protocol and assertion prefixes with colon ('' = default namespace). */
  readonly p: string;
  readonly a: string;
  /** Namespace declarations, by element. */
  readonly xmlns: {
    readonly response: string;
    readonly responseIssuer: string;
    readonly status: string;
    readonly assertion: string;
    readonly assertionIssuer: string;
    /** Okta re-declares saml2 on Subject, Conditions and each statement. */
    readonly children: string;
  };
  /** Java IdPs write attributes in alphabetical order, .NET in schema order. */
  readonly sortAttributes: boolean;
  /** xmlsec-style writers put namespace declarations before the attributes, .NET and Okta after them. */
  readonly declarationsFirst: boolean;
  readonly issuerFormat: boolean;
  readonly id: () => string;
  readonly fractionDigits: 0 | 3 | 7;
  /** Seconds relative to the IdP clock. */
  readonly times: {
    readonly notBefore: number;
    readonly notOnOrAfter: number;
    readonly confirmation: number;
    readonly session: number | null;
    readonly authnAge: number;
  };
  readonly attributesFirst: boolean;
  /** The opening of an AttributeValue for a string (typing and local declarations); `a` is the prefix. */
  readonly stringValue: (a: string) => string;
  readonly defaultSigning: Signing;
  readonly signature: SignatureStyle;
  readonly responseAttributes: Readonly<Record<string, string>>;
  readonly pretty: boolean;
  /** Shibboleth: the client address on SubjectConfirmationData and in SubjectLocality. */
  readonly clientAddress?: string;
  readonly sessionIndex: (assertionId: string) => string;
  readonly encryption?: EncryptionStyle;
  /**
   * Keycloak: Santuario's XMLCipher encrypts the Assertion where it stands in the Response, serialised as
   * physically written (C14N_PHYSICAL), so the plaintext lacks the declarations of its ancestors (`xmlns:saml`
   * is on the Response); XML Encryption §4.5 has the decryptor parse it in the EncryptedAssertion's context.
   * Otherwise the assertion is built on its own and declares everything (OpenSAML).
   */
  readonly encryptInPlace?: boolean;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const digits = (n: number): string => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const typed = (prefix: string, xsPrefix: string, type: string) => (a: string) =>
  `<${a}AttributeValue xmlns:${xsPrefix}="${NS_XS}" xmlns:xsi="${NS_XSI}" xsi:type="${prefix}:${type}">`;
const x509 = (cert: string, d: string): string => `<${d}X509Data><${d}X509Certificate>${cert}</${d}X509Certificate></${d}X509Data>`;

const ms = {
  declaration: '',
  p: 'samlp:',
  a: '',
  xmlns: { response: ` xmlns:samlp="${NS_P}"`, responseIssuer: ` xmlns="${NS_A}"`, status: '', assertion: ` xmlns="${NS_A}"`, assertionIssuer: '', children: '' },
  sortAttributes: false,
  declarationsFirst: false,
  issuerFormat: false,
  id: () => `_${randomUUID()}`,
  attributesFirst: true,
  stringValue: (a: string) => `<${a}AttributeValue>`,
  defaultSigning: 'assertion',
  sessionIndex: (id: string) => id,
} as const;

export const DIALECTS: Readonly<Record<Vendor, Dialect>> = {
  adfs: {
    ...ms,
    fractionDigits: 3,
    times: { notBefore: 0, notOnOrAfter: 3600, confirmation: 300, session: null, authnAge: 0 },
    signature: { ds: 'ds', inclusivePrefixes: [], keyInfo: x509, keyInfoDefaultNs: true },
    responseAttributes: { Consent: 'urn:oasis:names:tc:SAML:2.0:consent:unspecified' },
    pretty: true,
  },
  entra: {
    ...ms,
    fractionDigits: 7,
    times: { notBefore: -300, notOnOrAfter: 3900, confirmation: 3900, session: null, authnAge: 2 },
    signature: { ds: '', inclusivePrefixes: [], keyInfo: x509 },
    responseAttributes: {},
    pretty: false,
  },
  okta: {
    declaration: '<?xml version="1.0" encoding="UTF-8"?>',
    p: 'saml2p:',
    a: 'saml2:',
    xmlns: {
      response: ` xmlns:saml2p="${NS_P}" xmlns:xs="${NS_XS}"`,
      responseIssuer: ` xmlns:saml2="${NS_A}"`,
      status: ` xmlns:saml2p="${NS_P}"`,
      assertion: ` xmlns:saml2="${NS_A}" xmlns:xs="${NS_XS}"`,
      assertionIssuer: ` xmlns:saml2="${NS_A}"`,
      children: ` xmlns:saml2="${NS_A}"`,
    },
    sortAttributes: true,
    declarationsFirst: false,
    issuerFormat: true,
    id: () => `id${digits(27)}`,
    fractionDigits: 3,
    times: { notBefore: -300, notOnOrAfter: 300, confirmation: 300, session: null, authnAge: 3 * 3600 },
    attributesFirst: false,
    stringValue: (a) => `<${a}AttributeValue xmlns:xsi="${NS_XSI}" xsi:type="xs:string">`,
    defaultSigning: 'both',
    signature: { ds: 'ds', inclusivePrefixes: ['xs'], keyInfo: x509 },
    responseAttributes: {},
    pretty: false,
    sessionIndex: (id) => id,
  },
  google: {
    declaration: '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    p: 'saml2p:',
    a: 'saml2:',
    xmlns: { response: ` xmlns:saml2p="${NS_P}"`, responseIssuer: ` xmlns:saml2="${NS_A}"`, status: '', assertion: ` xmlns:saml2="${NS_A}"`, assertionIssuer: '', children: '' },
    sortAttributes: true,
    declarationsFirst: true,
    issuerFormat: false,
    id: () => `_${hex(16)}`,
    fractionDigits: 3,
    times: { notBefore: -300, notOnOrAfter: 300, confirmation: 300, session: null, authnAge: 6 * 3600 },
    attributesFirst: true,
    stringValue: typed('xs', 'xs', 'anyType'),
    defaultSigning: 'assertion',
    signature: {
      ds: 'ds',
      inclusivePrefixes: [],
      keyInfo: (cert, d) =>
        `<${d}X509Data><${d}X509SubjectName>ST=California,C=US,OU=Google For Work,CN=Google,L=Mountain View,O=Google Inc.</${d}X509SubjectName><${d}X509Certificate>${cert}</${d}X509Certificate></${d}X509Data>`,
      wrap: true,
    },
    responseAttributes: {},
    pretty: false,
    sessionIndex: (id) => id,
  },
  keycloak: {
    declaration: '',
    p: 'samlp:',
    a: 'saml:',
    xmlns: { response: ` xmlns:samlp="${NS_P}" xmlns:saml="${NS_A}"`, responseIssuer: '', status: '', assertion: ` xmlns="${NS_A}"`, assertionIssuer: '', children: '' },
    sortAttributes: true,
    declarationsFirst: true,
    issuerFormat: false,
    id: () => `ID_${randomUUID()}`,
    fractionDigits: 3,
    times: { notBefore: 0, notOnOrAfter: 60, confirmation: 300, session: 36_000, authnAge: 1 },
    attributesFirst: false,
    stringValue: typed('xs', 'xs', 'string'),
    defaultSigning: 'both',
    signature: {
      ds: 'dsig',
      inclusivePrefixes: [],
      keyInfo: (cert, d) => `<${d}KeyName>7KXc0PcP7n0aCxTQ0vK1k0g5tXk0GJk1t7v0_b2Rqyg</${d}KeyName>${x509(cert, d)}`,
      wrap: true,
      carriageReturns: true,
    },
    responseAttributes: {},
    pretty: false,
    sessionIndex: () => `${randomUUID()}::${randomUUID()}`,
    encryptInPlace: true,
  },
  shibboleth: {
    declaration: '<?xml version="1.0" encoding="UTF-8"?>',
    p: 'saml2p:',
    a: 'saml2:',
    xmlns: { response: ` xmlns:saml2p="${NS_P}"`, responseIssuer: ` xmlns:saml2="${NS_A}"`, status: '', assertion: ` xmlns:saml2="${NS_A}"`, assertionIssuer: '', children: '' },
    sortAttributes: true,
    declarationsFirst: true,
    issuerFormat: false,
    id: () => `_${hex(16)}`,
    fractionDigits: 3,
    times: { notBefore: 0, notOnOrAfter: 300, confirmation: 300, session: null, authnAge: 20 },
    attributesFirst: false,
    stringValue: typed('xsd', 'xsd', 'string'),
    defaultSigning: 'both',
    signature: { ds: 'ds', inclusivePrefixes: ['xsd'], keyInfo: x509, lineBreaks: true, wrap: true },
    responseAttributes: {},
    pretty: false,
    clientAddress: '203.0.113.9',
    sessionIndex: (id) => id,
    encryption: { data: 'aes128-gcm', keyTransport: 'rsa-oaep-mgf1p', keyPlacement: 'inline' },
  },
};

export const ENTITY_IDS: Readonly<Record<Vendor, string>> = {
  adfs: 'http://adfs.contoso.com/adfs/services/trust',
  entra: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
  okta: 'http://www.okta.com/exk1fcia6d6EMsf8r1d8',
  google: 'https://accounts.google.com/o/saml2?idpid=C01n8ctz3',
  keycloak: 'https://sso.example.com/realms/corp',
  shibboleth: 'https://idp.example.org/idp/shibboleth',
};

const SSO_URLS: Readonly<Record<Vendor, string>> = {
  adfs: 'https://adfs.contoso.com/adfs/ls/',
  entra: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2',
  okta: 'https://example.okta.com/app/example_broker_1/exk1fcia6d6EMsf8r1d8/sso/saml',
  google: 'https://accounts.google.com/o/saml2/idp?idpid=C01n8ctz3',
  keycloak: 'https://sso.example.com/realms/corp/protocol/saml',
  shibboleth: 'https://idp.example.org/idp/profile/SAML2/Redirect/SSO',
};

/** The attribute names each vendor uses (docs/rules.md, the claims object: claims are keyed by the full Name). */
export const VENDOR_ATTRS = {
  msUpn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  msEmail: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  msName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  msGroups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  msRole: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  msTenant: 'http://schemas.microsoft.com/identity/claims/tenantid',
  msOid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  msDisplayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  msIdp: 'http://schemas.microsoft.com/identity/claims/identityprovider',
  msAmr: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  awsRole: 'https://aws.amazon.com/SAML/Attributes/Role',
  awsSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  isMemberOf: 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
  affiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
  targetedId: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.10',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
} as const;

const A = VENDOR_ATTRS;
const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** The user each vendor signs in by default: the group value `aws-dev` is what the tamper rows change. */
export const VENDOR_USERS: Readonly<Record<Vendor, VendorUser>> = {
  adfs: {
    nameId: 'CONTOSO\\alice',
    nameIdFormat: NAMEID.unspecified,
    attributes: [
      { name: A.msUpn, values: ['alice@contoso.com'] },
      { name: A.msEmail, values: ['alice@contoso.com'] },
      { name: A.msRole, values: ['aws-dev', 'Domain Users'] },
    ],
    authnContextClassRef: AC.windows,
  },
  entra: {
    nameId: 'x9T0hG1bKx1RrYc3aUQ4bG7xRkq8p1m0eS9vZ4Zz1AE',
    nameIdFormat: NAMEID.persistent,
    attributes: [
      { name: A.msTenant, values: [ENTRA_TENANT] },
      { name: A.msOid, values: ['4f3a2d8e-1b6c-4a7e-9f0d-2c5b8e1a3d47'] },
      { name: A.msName, values: ['alice@contoso.onmicrosoft.com'] },
      { name: A.msGroups, values: ['aws-dev', '9b1a6c3e-44f0-4d8a-b2a1-0e7f5c9d2b13'] },
      { name: A.msDisplayName, values: ['Alice Liddell'] },
      { name: A.msIdp, values: [`https://sts.windows.net/${ENTRA_TENANT}/`] },
      { name: A.msAmr, values: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', AC.msMfa] },
    ],
    authnContextClassRef: AC.password,
  },
  okta: {
    nameId: 'alice@example.com',
    nameIdFormat: NAMEID.unspecified,
    attributes: [
      { name: 'email', nameFormat: ATTRNAME.unspecified, values: ['alice@example.com'] },
      { name: 'groups', nameFormat: ATTRNAME.unspecified, values: ['Everyone', 'aws-dev', 'eng-platform'] },
    ],
    authnContextClassRef: AC.ppt,
  },
  google: {
    nameId: 'alice@example.com',
    nameIdFormat: NAMEID.email,
    attributes: [
      { name: A.awsSessionName, values: ['alice@example.com'] },
      { name: A.awsRole, values: ['arn:aws:iam::111122223333:role/Dev,arn:aws:iam::111122223333:saml-provider/Google'] },
      { name: 'groups', values: ['aws-dev', 'all-staff'] },
    ],
    authnContextClassRef: AC.unspecified,
  },
  keycloak: {
    nameId: 'alice',
    nameIdFormat: NAMEID.unspecified,
    attributes: [
      { name: 'email', friendlyName: 'email', nameFormat: ATTRNAME.basic, values: ['alice@example.com'] },
      { name: 'Role', nameFormat: ATTRNAME.basic, values: ['aws-dev'] },
      { name: 'Role', nameFormat: ATTRNAME.basic, values: ['offline_access'] },
      { name: 'Role', nameFormat: ATTRNAME.basic, values: ['uma_authorization'] },
      { name: 'Role', nameFormat: ATTRNAME.basic, values: ['manage-account'] },
    ],
    authnContextClassRef: AC.unspecified,
  },
  shibboleth: {
    nameId: 'AAdzZWNyZXQxTHw7mC0oDq7xp9pWjpWJ6yIEiA==',
    nameIdFormat: NAMEID.transient,
    nameIdQualifiers: { NameQualifier: '{idp}', SPNameQualifier: '{sp}' },
    attributes: [
      { name: A.eppn, friendlyName: 'eduPersonPrincipalName', nameFormat: ATTRNAME.uri, values: ['alice@example.org'] },
      { name: A.mail, friendlyName: 'mail', nameFormat: ATTRNAME.uri, values: ['alice@example.org'] },
      { name: A.affiliation, friendlyName: 'eduPersonScopedAffiliation', nameFormat: ATTRNAME.uri, values: ['member@example.org', 'staff@example.org'] },
      { name: A.isMemberOf, friendlyName: 'isMemberOf', nameFormat: ATTRNAME.uri, values: ['aws-dev', 'cn=eng,ou=groups,dc=example,dc=org'] },
      {
        name: A.targetedId,
        friendlyName: 'eduPersonTargetedID',
        nameFormat: ATTRNAME.uri,
        values: [{ nameId: 'pZ5Nq1gVw7B1m5jWbQ0s6Yk2X9c=', format: NAMEID.persistent, nameQualifier: '{idp}', spNameQualifier: '{sp}' }],
      },
    ],
    authnContextClassRef: AC.ppt,
  },
};

// ---- rendering ---------------------------------------------------------------------------------------------

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** xs:dateTime in UTC with 0, 3 or 7 fractional digits (.NET ticks have 100 ns resolution). */
export const stamp = (date: Date, fraction: 0 | 3 | 7): string => {
  const iso = date.toISOString();
  if (fraction === 0) return iso.replace(/\.\d{3}Z$/, 'Z');
  return fraction === 7 ? iso.replace(/Z$/, '4567Z') : iso;
};

const at = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

const attrs = (d: Dialect, list: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const present = list.filter((e): e is readonly [string, string] => e[1] !== undefined);
  const ordered = d.sortAttributes ? [...present].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)) : present;
  return ordered.map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
};

interface Rendered {
  readonly idp: string;
  readonly sp: string;
  readonly time: (seconds: number) => string;
}

const fill = (value: string, r: Rendered): string => value.replace('{idp}', r.idp).replace('{sp}', r.sp);

const valueXml = (d: Dialect, spec: AttributeValueSpec, r: Rendered): string => {
  const a = d.a;
  if (typeof spec === 'string') return spec === '' ? `${d.stringValue(a).replace(/>$/, '/>')}` : `${d.stringValue(a)}${esc(spec)}</${a}AttributeValue>`;
  if ('nil' in spec) return `<${a}AttributeValue xmlns:xsi="${NS_XSI}" xsi:nil="true"/>`;
  if ('nameId' in spec) {
    const q = attrs(d, [['Format', spec.format], ['NameQualifier', spec.nameQualifier && fill(spec.nameQualifier, r)], ['SPNameQualifier', spec.spNameQualifier && fill(spec.spNameQualifier, r)]]);
    return `<${a}AttributeValue><${a}NameID${q}>${esc(spec.nameId)}</${a}NameID></${a}AttributeValue>`;
  }
  if (spec.type === null) return `<${a}AttributeValue>${esc(spec.text)}</${a}AttributeValue>`;
  const [prefix] = spec.type.split(':');
  return `<${a}AttributeValue xmlns:${prefix}="${NS_XS}" xmlns:xsi="${NS_XSI}" xsi:type="${esc(spec.type)}">${esc(spec.text)}</${a}AttributeValue>`;
};

/** The assertion's XML (unsigned); `standalone` declares every prefix it uses (it is encrypted on its own). */
const assertionXml = (d: Dialect, o: VendorResponseOptions, user: VendorUser, r: Rendered, id: string, standalone: boolean): string => {
  const a = d.a;
  const c = d.xmlns.children;
  const issuerFormat = o.issuerFormat ?? d.issuerFormat;
  const issuer = `<${a}Issuer${issuerFormat ? attrs(d, [['Format', ENTITY]]) : ''}${d.xmlns.assertionIssuer}>${esc(r.idp)}</${a}Issuer>`;
  const qualifiers = Object.entries(user.nameIdQualifiers ?? {}).map(([k, v]) => [k, fill(v, r)] as const);
  const nameId = `<${a}NameID${attrs(d, [['Format', user.nameIdFormat], ...qualifiers])}>${esc(user.nameId)}</${a}NameID>`;
  const confirmationData = attrs(d, [
    ['Address', d.clientAddress],
    ['InResponseTo', o.inResponseTo],
    ['NotBefore', o.confirmationNotBefore === true ? r.time(d.times.notBefore) : undefined],
    ['NotOnOrAfter', r.time(d.times.confirmation)],
    ['Recipient', o.acsUrl],
  ]);
  const subject =
    `<${a}Subject${c}>${nameId}<${a}SubjectConfirmation Method="${BEARER}">` +
    `<${a}SubjectConfirmationData${confirmationData}/></${a}SubjectConfirmation></${a}Subject>`;
  const restrictions = (o.audienceRestrictions ?? [[o.spEntityId]])
    .map((audiences) => `<${a}AudienceRestriction>${audiences.map((x) => `<${a}Audience>${esc(x)}</${a}Audience>`).join('')}</${a}AudienceRestriction>`)
    .join('');
  const conditions =
    `<${a}Conditions${attrs(d, [['NotBefore', r.time(d.times.notBefore)], ['NotOnOrAfter', r.time(d.times.notOnOrAfter)]])}${c}>` +
    `${restrictions}${o.extraConditions?.(a) ?? ''}</${a}Conditions>`;
  const session = o.sessionNotOnOrAfter === false ? null : o.sessionNotOnOrAfter === true ? (d.times.session ?? 8 * 3600) : d.times.session;
  const authnContext = o.authnContext?.(a) ?? `<${a}AuthnContextClassRef>${esc(user.authnContextClassRef ?? AC.unspecified)}</${a}AuthnContextClassRef>`;
  const authn =
    `<${a}AuthnStatement${attrs(d, [['AuthnInstant', r.time(-d.times.authnAge)], ['SessionIndex', d.sessionIndex(id)], ['SessionNotOnOrAfter', session === null ? undefined : r.time(session)]])}${c}>` +
    `${d.clientAddress ? `<${a}SubjectLocality Address="${d.clientAddress}"/>` : ''}<${a}AuthnContext>${authnContext}</${a}AuthnContext></${a}AuthnStatement>`;
  const attributeXml = user.attributes.map(
    (x) =>
      `<${a}Attribute${attrs(d, [['FriendlyName', x.friendlyName], ['Name', x.name], ['NameFormat', x.nameFormat]])}>` +
      `${x.values.map((v) => valueXml(d, v, r)).join('')}</${a}Attribute>`,
  );
  // Google, AD FS and Entra send no AttributeStatement when nothing is mapped; nobody sends an empty one.
  const attributes = attributeXml.length === 0 ? '' : `<${a}AttributeStatement${c}>${attributeXml.join('')}</${a}AttributeStatement>`;
  const statements = (d.attributesFirst ? attributes + authn : authn + attributes) + (o.extraStatements?.(a) ?? '');
  const advice = o.advice ? `<${a}Advice>${o.advice(a)}</${a}Advice>` : '';
  // Encrypted on its own, the assertion must declare its prefix itself (Keycloak relies on the Response's).
  const own = standalone && a !== '' && !d.xmlns.assertion.includes(`xmlns:${a.slice(0, -1)}=`) ? ` xmlns:${a.slice(0, -1)}="${NS_A}"` : '';
  const head = attrs(d, [['ID', id], ['IssueInstant', r.time(0)], ['Version', '2.0']]);
  const xmlns = d.xmlns.assertion + own;
  return `<${a}Assertion${d.declarationsFirst ? xmlns + head : head + xmlns}>${issuer}${subject}${conditions}${advice}${statements}</${a}Assertion>`;
};

const responseXml = (d: Dialect, o: VendorResponseOptions, r: Rendered, id: string, assertion: string): string => {
  const p = d.p;
  const issuerFormat = o.issuerFormat ?? d.issuerFormat;
  const issuer = `<${d.a}Issuer${issuerFormat ? attrs(d, [['Format', ENTITY]]) : ''}${d.xmlns.responseIssuer}>${esc(r.idp)}</${d.a}Issuer>`;
  const status = o.status?.(p) ?? `<${p}StatusCode Value="${SUCCESS}"/>`;
  const extra = Object.entries({ ...d.responseAttributes, ...o.responseAttributes });
  const head = d.sortAttributes
    ? attrs(d, [['Destination', o.acsUrl], ['ID', id], ['InResponseTo', o.inResponseTo], ['IssueInstant', r.time(0)], ['Version', '2.0'], ...extra])
    : attrs(d, [['ID', id], ['Version', '2.0'], ['IssueInstant', r.time(0)], ['Destination', o.acsUrl], ...extra, ['InResponseTo', o.inResponseTo]]);
  const open = d.declarationsFirst ? `${d.xmlns.response}${head}` : `${head}${d.xmlns.response}`;
  return `${d.declaration}<${p}Response${open}>${issuer}<${p}Status${d.xmlns.status}>${status}</${p}Status>${assertion}</${p}Response>`;
};

// ---- pretty-printing (before signing: the whitespace is signed content) ------------------------------------

const ELEMENT = 1;
const TEXT = 3;

/** Indents element-only content with newlines and two spaces, as AD FS output looks after a proxy or a tool. */
const indent = (doc: Document): void => {
  const visit = (element: Element, depth: number): void => {
    const children = Array.from(element.childNodes);
    if (children.length === 0 || children.some((n) => n.nodeType === TEXT && (n.nodeValue ?? '').trim() !== '')) return;
    if (!children.every((n) => n.nodeType === ELEMENT)) return;
    for (const child of children) {
      element.insertBefore(doc.createTextNode(`\n${'  '.repeat(depth + 1)}`), child);
      visit(child as Element, depth + 1);
    }
    element.appendChild(doc.createTextNode(`\n${'  '.repeat(depth)}`));
  };
  visit(doc.documentElement!, 0);
};

const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (doc: Document): string => new XMLSerializer().serializeToString(doc);

// ---- signing -----------------------------------------------------------------------------------------------

export const pemBody = (pem: string): string => pem.replace(/-----[A-Z ]+-----|\s+/g, '');
const RSA_DIGESTS: Readonly<Record<string, string>> = {
  [RSA_SHA256]: 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': 'sha1',
};
const wrap76 = (base64: string): string => base64.replace(/.{76}(?=.)/g, '$&\n');

const childNamed = (parent: Element, ns: string, name: string): Element | undefined =>
  Array.from(parent.childNodes).find((n): n is Element => n.nodeType === ELEMENT && (n as Element).namespaceURI === ns && (n as Element).localName === name);

/**
 * Signs `target` (the Response, or the Assertion wherever it is) with SignedXml: enveloped-signature +
 * exc-c14n, placed after the target's Issuer. Then the vendor's layout, which SignedXml cannot produce, is
 * applied: `ec:`-prefixed InclusiveNamespaces on the exc-c14n transform only (SignedXml also puts one under
 * enveloped-signature, which no IdP does) and Santuario's line breaks, after which SignedInfo is signed again;
 * then the unsigned parts: KeyInfo, wrapped base64, &#13;.
 */
export const signEnveloped = (xml: string, target: 'root' | 'Assertion', style: SignatureStyle, keys: KeyPair, signatureAlgorithm = RSA_SHA256): string => {
  // The (outermost) assertion wherever it is, or the document element (Response, EntityDescriptor).
  const path = target === 'root' ? '/*' : `(//*[local-name(.)='Assertion' and namespace-uri(.)='${NS_A}'])[1]`;
  // Signed Responses and Assertions: after the Issuer; metadata: the first child.
  const issuer = `${path}/*[local-name(.)='Issuer' and namespace-uri(.)='${NS_A}']`;
  const location = parse(xml).documentElement?.localName === 'EntityDescriptor' ? ({ reference: path, action: 'prepend' } as const) : ({ reference: issuer, action: 'after' } as const);
  const signer = new SignedXml({ privateKey: keys.privateKeyPem, signatureAlgorithm, canonicalizationAlgorithm: EXC, getKeyInfoContent: () => null });
  signer.addReference({ xpath: path, transforms: [ENVELOPED, EXC], digestAlgorithm: SHA256, inclusiveNamespacesPrefixList: [...style.inclusivePrefixes] });
  signer.computeSignature(xml, { ...(style.ds ? { prefix: style.ds } : {}), location });
  // A CR kept as a character (Santuario's &#13;) must stay a reference, or the next parse normalises it away.
  const doc = parse(signer.getSignedXml().replace(/\r/g, '&#13;'));
  const element = target === 'root' ? doc.documentElement! : doc.getElementsByTagNameNS(NS_A, 'Assertion').item(0)!;
  const signature = childNamed(element, NS_DS, 'Signature')!;
  const signedInfo = childNamed(signature, NS_DS, 'SignedInfo')!;
  const d = style.ds ? `${style.ds}:` : '';
  let resign = false;
  for (const transform of Array.from(signedInfo.getElementsByTagNameNS(NS_DS, 'Transform'))) {
    for (const junk of Array.from(transform.childNodes)) transform.removeChild(junk);
    if (transform.getAttribute('Algorithm') === EXC && style.inclusivePrefixes.length > 0) {
      const inclusive = doc.createElementNS(EXC, 'ec:InclusiveNamespaces');
      inclusive.setAttribute('PrefixList', style.inclusivePrefixes.join(' '));
      transform.appendChild(inclusive);
    }
    resign ||= style.inclusivePrefixes.length > 0;
  }
  if (style.lineBreaks) {
    for (const parent of [signedInfo, ...Array.from(signedInfo.getElementsByTagNameNS(NS_DS, 'Reference')), ...Array.from(signedInfo.getElementsByTagNameNS(NS_DS, 'Transforms'))]) {
      for (const child of Array.from(parent.childNodes)) parent.insertBefore(doc.createTextNode('\n'), child);
      parent.appendChild(doc.createTextNode('\n'));
    }
    resign = true;
  }
  const value = childNamed(signature, NS_DS, 'SignatureValue')!;
  if (resign) {
    const canonical = new ExclusiveCanonicalization().process(signedInfo as never, {}) as unknown as string;
    value.textContent = rsaSign(RSA_DIGESTS[signatureAlgorithm] ?? 'sha256', Buffer.from(canonical, 'utf8'), keys.privateKeyPem).toString('base64');
  }
  const signatureValue = style.wrap || style.lineBreaks ? `${style.lineBreaks ? '\n' : ''}${wrap76(value.textContent ?? '')}${style.lineBreaks ? '\n' : ''}` : (value.textContent ?? '');
  value.textContent = signatureValue;
  const cert = style.wrap || style.lineBreaks ? wrap76(pemBody(keys.certPem)) : pemBody(keys.certPem);
  const keyInfo = style.keyInfoDefaultNs
    ? `<KeyInfo xmlns="${NS_DS}">${style.keyInfo(cert, 'ds:')}</KeyInfo>`
    : `<${d}KeyInfo>${style.keyInfo(cert, d)}</${d}KeyInfo>`;
  const prefixes = new Set(['ds', style.ds]);
  const fragment = parse(`<w ${[...prefixes].map((x) => `xmlns${x ? `:${x}` : ''}="${NS_DS}"`).join(' ')}>${keyInfo}</w>`).documentElement!;
  if (style.lineBreaks) {
    signature.insertBefore(doc.createTextNode('\n'), signedInfo);
    signature.insertBefore(doc.createTextNode('\n'), value);
    signature.appendChild(doc.createTextNode('\n'));
  }
  signature.appendChild(doc.importNode(fragment.firstChild as Node, true));
  let out = serialize(doc).replace(/\r/g, '&#13;');
  if (style.carriageReturns) {
    for (const text of [signatureValue, cert]) if (text.includes('\n')) out = out.replace(text, text.replace(/\n/g, '&#13;\n'));
  }
  return out;
};

// ---- encryption --------------------------------------------------------------------------------------------

/** An EncryptedAssertion as OpenSAML writes it: AES-GCM (IV ‖ ciphertext ‖ tag), RSA-OAEP key transport. */
export const encryptAssertion = (assertion: string, spCertPem: string, style: EncryptionStyle, spEntityId: string, a = 'saml2:'): string => {
  const cbc = style.data === 'aes256-cbc';
  const key = randomBytes(style.data === 'aes128-gcm' ? 16 : 32);
  const iv = randomBytes(cbc ? 16 : 12);
  const data = cbc
    ? (() => {
        const cipher = createCipheriv('aes-256-cbc', key, iv);
        return Buffer.concat([iv, cipher.update(assertion, 'utf8'), cipher.final()]).toString('base64');
      })()
    : (() => {
        const cipher = createCipheriv(style.data === 'aes128-gcm' ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
        return Buffer.concat([iv, cipher.update(assertion, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
      })();
  const digest = style.oaepDigest ?? 'sha1';
  const publicKey = new X509Certificate(spCertPem).publicKey;
  // Node encrypts with one hash for OAEP and MGF1; a ciphertext for another MGF1 hash is never decrypted anyway.
  const wrapped = (
    style.keyTransport === 'rsa-1_5' ? publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, key) : publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: digest }, key)
  ).toString('base64');
  const dataId = `_${hex(16)}`;
  const keyId = `_${hex(16)}`;
  const digestMethod = `<ds:DigestMethod xmlns:ds="${NS_DS}" Algorithm="${digest === 'sha1' ? SHA1 : SHA256}"/>`;
  const mgf = style.mgf === undefined ? digest : style.mgf;
  const method =
    style.keyTransport === 'rsa-oaep'
      ? `<xenc:EncryptionMethod Algorithm="${NS_XENC11}rsa-oaep">${digestMethod}${mgf === null ? '' : `<xenc11:MGF xmlns:xenc11="${NS_XENC11}" Algorithm="${NS_XENC11}mgf1${mgf}"/>`}</xenc:EncryptionMethod>`
      : style.keyTransport === 'rsa-1_5'
        ? `<xenc:EncryptionMethod Algorithm="${NS_XENC}rsa-1_5"/>`
        : `<xenc:EncryptionMethod Algorithm="${NS_XENC}rsa-oaep-mgf1p">${digestMethod}</xenc:EncryptionMethod>`;
  const spCert = `<ds:KeyInfo xmlns:ds="${NS_DS}"><ds:X509Data><ds:X509Certificate>${wrap76(pemBody(spCertPem))}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  const peer = style.keyPlacement === 'peer';
  const encryptedKey =
    `<xenc:EncryptedKey${peer ? ` xmlns:xenc="${NS_XENC}"` : ''} Id="${keyId}" Recipient="${esc(spEntityId)}">${method}${spCert}` +
    `<xenc:CipherData><xenc:CipherValue>${wrapped}</xenc:CipherValue></xenc:CipherData>` +
    `${peer ? `<xenc:ReferenceList><xenc:DataReference URI="#${dataId}"/></xenc:ReferenceList>` : ''}</xenc:EncryptedKey>`;
  const keyInfo = peer
    ? `<ds:KeyInfo xmlns:ds="${NS_DS}"><ds:RetrievalMethod Type="${NS_XENC}EncryptedKey" URI="#${keyId}"/></ds:KeyInfo>`
    : `<ds:KeyInfo xmlns:ds="${NS_DS}">${encryptedKey}</ds:KeyInfo>`;
  return (
    `<${a}EncryptedAssertion${a ? ` xmlns:${a.slice(0, -1)}="${NS_A}"` : ` xmlns="${NS_A}"`}>` +
    `<xenc:EncryptedData xmlns:xenc="${NS_XENC}" Id="${dataId}" Type="${NS_XENC}Element">` +
    `<xenc:EncryptionMethod Algorithm="${cbc ? NS_XENC : NS_XENC11}${style.data}"/>${keyInfo}<xenc:CipherData><xenc:CipherValue>${data}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData>${peer ? encryptedKey : ''}</${a}EncryptedAssertion>`
  );
};

// ---- metadata ----------------------------------------------------------------------------------------------

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** IdP metadata as each vendor publishes it (trimmed), with the test key as its signing certificate. */
const metadataOf = (vendor: Vendor, keys: KeyPair): string => {
  const entityId = esc(ENTITY_IDS[vendor]);
  const sso = esc(SSO_URLS[vendor]);
  const cert = pemBody(keys.certPem);
  const md = (d: string, use: string) => `<${d}KeyDescriptor use="${use}"><KeyInfo xmlns="${NS_DS}"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></${d}KeyDescriptor>`;
  switch (vendor) {
    case 'adfs':
    case 'entra': {
      // WS-Federation RoleDescriptors before the IDPSSODescriptor, an enveloped metadata signature (not used).
      const unsigned =
        `<EntityDescriptor ID="_${randomUUID()}" entityID="${entityId}" xmlns="${NS_MD}">` +
        `<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="${NS_XSI}" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">` +
        `${md('', 'signing')}<fed:ClaimTypesOffered><auth:ClaimType Uri="${A.msUpn}" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>UPN</auth:DisplayName></auth:ClaimType></fed:ClaimTypesOffered>` +
        `<fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>${sso}</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint></RoleDescriptor>` +
        `<IDPSSODescriptor protocolSupportEnumeration="${NS_P}">${vendor === 'adfs' ? md('', 'encryption') : ''}${md('', 'signing')}` +
        `<SingleLogoutService Binding="${REDIRECT}" Location="${sso}"/><NameIDFormat>${NAMEID.email}</NameIDFormat><NameIDFormat>${NAMEID.persistent}</NameIDFormat>` +
        `<SingleSignOnService Binding="${REDIRECT}" Location="${sso}"/><SingleSignOnService Binding="${POST}" Location="${sso}"/>` +
        `<Attribute Name="${A.msUpn}" NameFormat="${ATTRNAME.uri}" FriendlyName="UPN" xmlns="${NS_A}"/></IDPSSODescriptor></EntityDescriptor>`;
      return signEnveloped(unsigned, 'root', { ds: '', inclusivePrefixes: [], keyInfo: x509 }, keys);
    }
    case 'okta':
      return (
        `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="${NS_MD}" entityID="${entityId}">` +
        `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS_P}"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${NS_DS}"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
        `<md:NameIDFormat>${NAMEID.unspecified}</md:NameIDFormat><md:NameIDFormat>${NAMEID.email}</md:NameIDFormat>` +
        `<md:SingleSignOnService Binding="${POST}" Location="${sso}"/><md:SingleSignOnService Binding="${REDIRECT}" Location="${sso}"/></md:IDPSSODescriptor></md:EntityDescriptor>`
      );
    case 'google':
      return (
        `<?xml version="1.0" encoding="UTF-8" standalone="no"?><md:EntityDescriptor xmlns:md="${NS_MD}" entityID="${entityId}" validUntil="2031-11-20T12:00:00.000Z">` +
        `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS_P}"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${NS_DS}"><ds:X509Data><ds:X509Certificate>${wrap76(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
        `<md:NameIDFormat>${NAMEID.unspecified}</md:NameIDFormat><md:NameIDFormat>${NAMEID.email}</md:NameIDFormat>` +
        `<md:SingleSignOnService Binding="${REDIRECT}" Location="${sso}"/><md:SingleSignOnService Binding="${POST}" Location="${sso}"/></md:IDPSSODescriptor></md:EntityDescriptor>`
      );
    case 'keycloak':
      return (
        `<md:EntityDescriptor xmlns="${NS_MD}" xmlns:md="${NS_MD}" xmlns:saml="${NS_A}" xmlns:ds="${NS_DS}" entityID="${entityId}">` +
        `<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="${NS_P}"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>7KXc0PcP7n0aCxTQ0vK1k0g5tXk0GJk1t7v0_b2Rqyg</ds:KeyName><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
        `<md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${sso}/resolve" index="0"/>` +
        `<md:SingleLogoutService Binding="${POST}" Location="${sso}"/><md:NameIDFormat>${NAMEID.persistent}</md:NameIDFormat><md:NameIDFormat>${NAMEID.transient}</md:NameIDFormat>` +
        `<md:NameIDFormat>${NAMEID.unspecified}</md:NameIDFormat><md:NameIDFormat>${NAMEID.email}</md:NameIDFormat>` +
        `<md:SingleSignOnService Binding="${POST}" Location="${sso}"/><md:SingleSignOnService Binding="${REDIRECT}" Location="${sso}"/></md:IDPSSODescriptor></md:EntityDescriptor>`
      );
    case 'shibboleth':
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<!--\n     This is example metadata only. Do *NOT* supply it as is without review.\n-->\n` +
        `<EntityDescriptor xmlns="${NS_MD}" xmlns:ds="${NS_DS}" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" xmlns:xml="http://www.w3.org/XML/1998/namespace" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" entityID="${entityId}">\n` +
        `  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol urn:mace:shibboleth:1.0">\n` +
        `    <Extensions>\n      <shibmd:Scope regexp="false">example.org</shibmd:Scope>\n      <mdui:UIInfo><mdui:DisplayName xml:lang="en">Example</mdui:DisplayName></mdui:UIInfo>\n    </Extensions>\n` +
        `    <!-- First signing certificate is BackChannel, the Second is FrontChannel -->\n` +
        `    ${md('', 'signing')}\n    ${md('', 'signing')}\n    ${md('', 'encryption')}\n` +
        `    <SingleSignOnService Binding="${POST}" Location="https://idp.example.org/idp/profile/SAML2/POST/SSO"/>\n` +
        `    <SingleSignOnService Binding="${REDIRECT}" Location="${sso}"/>\n  </IDPSSODescriptor>\n` +
        `  <AttributeAuthorityDescriptor protocolSupportEnumeration="${NS_P}">\n    ${md('', 'signing')}\n` +
        `    <AttributeService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp.example.org:8443/idp/profile/SAML2/SOAP/AttributeQuery"/>\n  </AttributeAuthorityDescriptor>\n</EntityDescriptor>\n`
      );
  }
};

// ---- the IdP -----------------------------------------------------------------------------------------------

export interface VendorIdp {
  readonly vendor: Vendor;
  readonly entityId: string;
  readonly metadataXml: string;
  /** The response XML as this vendor posts it: signed (and for Shibboleth encrypted) the way it does. */
  responseXml(options: VendorResponseOptions): string;
}

export const createVendorIdp = (vendor: Vendor, keys: KeyPair): VendorIdp => {
  const d = DIALECTS[vendor];
  const entityId = ENTITY_IDS[vendor];
  return {
    vendor,
    entityId,
    metadataXml: metadataOf(vendor, keys),
    responseXml(o) {
      const fraction = o.fractionDigits ?? d.fractionDigits;
      const r: Rendered = { idp: entityId, sp: o.spEntityId, time: (s) => stamp(at(o.now, s), fraction) };
      const dialect: Dialect = o.pretty === undefined ? d : { ...d, pretty: o.pretty };
      const signing = o.signing ?? d.defaultSigning;
      const sig = d.signature;
      const encrypt = o.encrypt ?? d.encryption !== undefined;
      const assertionId = d.id();
      const user = o.user ?? VENDOR_USERS[vendor];
      if (encrypt) {
        if (o.encryptForCertPem === undefined) throw new Error(`${vendor}: encryptForCertPem is required to encrypt`);
        const signInner = o.signInnerAssertion ?? signing !== 'response';
        const responseId = d.id();
        let plaintext: string;
        let frame: (encrypted: string) => string;
        if (d.encryptInPlace) {
          // Signed in the Response, then the element's text as written there is encrypted and replaced.
          let inPlace = responseXml(dialect, o, r, responseId, assertionXml(dialect, o, user, r, assertionId, false));
          if (signInner) inPlace = signEnveloped(inPlace, 'Assertion', sig, keys);
          const physical = new RegExp(`<${d.a}Assertion[\\s>][\\s\\S]*</${d.a}Assertion>`).exec(inPlace)![0];
          plaintext = physical;
          frame = (encrypted) => inPlace.replace(physical, () => encrypted);
        } else {
          plaintext = assertionXml(dialect, o, user, r, assertionId, true);
          if (signInner) plaintext = signEnveloped(plaintext, 'Assertion', sig, keys);
          frame = (encrypted) => responseXml(dialect, o, r, responseId, encrypted);
        }
        if (o.tamper) plaintext = o.tamper(plaintext);
        const style: EncryptionStyle = { ...(d.encryption ?? { data: 'aes256-gcm', keyTransport: 'rsa-oaep-mgf1p', keyPlacement: 'inline' }), ...o.encryption };
        let xml = frame(encryptAssertion(plaintext, o.encryptForCertPem, style, o.spEntityId, d.a));
        if (signing !== 'assertion') xml = signEnveloped(xml, 'root', sig, keys);
        return xml;
      }
      let xml = responseXml(dialect, o, r, d.id(), assertionXml(dialect, o, user, r, assertionId, false));
      if (dialect.pretty) {
        const doc = parse(xml);
        indent(doc);
        xml = `${d.declaration}${serialize(doc)}`;
      }
      if (signing !== 'response') xml = signEnveloped(xml, 'Assertion', sig, keys);
      if (signing !== 'assertion') xml = signEnveloped(xml, 'root', sig, keys);
      if (d.declaration && !xml.startsWith('<?xml')) xml = `${d.declaration}${xml}`;
      return o.tamper ? o.tamper(xml) : xml;
    },
  };
};
