// Responses shaped as AD FS, Entra ID, Okta, Google Workspace, Keycloak and Shibboleth IdP really send them
// (test/support/saml-vendors.ts), through the whole validator: each vendor's own shape is accepted with the
// docs/rules.md, the claims object claims, the legitimate variations a strict validator might wrongly refuse are accepted, and a value
// changed after signing (or a wrapper around a vendor-shaped message) is still refused.

import { createPrivateKey } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../shared/errors.ts';
import type { SamlIdentity, SamlProviderRuntime, SamlValidationContext } from '../../../shared/saml/types.ts';
import { decryptAssertion } from '../../../shared/saml/decrypt.ts';
import { validateSamlResponse } from '../../../shared/saml/validate.ts';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { parseStrictXml } from '../../../shared/saml/xml.ts';
import { movedInto, withEvilAssertion } from '../../support/saml-attacks.ts';
import { ACS_URL, NOW, REQUEST_ID, SP_ENTITY_ID, contextFor, encode, generateKeyPair, providerFor } from '../../support/saml-idp.ts';
import {
  AC,
  ATTRNAME,
  ENTITY_IDS,
  NAMEID,
  VENDOR_ATTRS as A,
  VENDOR_USERS,
  VENDORS,
  createVendorIdp,
  stamp,
  type KeyPair,
  type Vendor,
  type VendorIdp,
  type VendorResponseOptions,
} from '../../support/saml-vendors.ts';

/** The IdP's clock when it answered: 1.877 s before the broker validates, so that fractions are non-zero. */
const IDP_CLOCK = new Date(NOW.getTime() - 1877);
const seconds = (s: number): Date => new Date(IDP_CLOCK.getTime() + s * 1000);

let idpKeys: KeyPair;
let spKeys: KeyPair;
const idps = {} as Record<Vendor, VendorIdp>;

beforeAll(async () => {
  idpKeys = await generateKeyPair('idp.vendors.example');
  spKeys = await generateKeyPair('broker.example.com');
  for (const vendor of VENDORS) idps[vendor] = createVendorIdp(vendor, idpKeys);
});

const xmlOf = (vendor: Vendor, options: Partial<VendorResponseOptions> = {}): string =>
  idps[vendor].responseXml({ now: IDP_CLOCK, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, inResponseTo: REQUEST_ID, encryptForCertPem: spKeys.certPem, ...options });

interface Row {
  readonly name: string;
  readonly vendor: Vendor;
  readonly options?: Partial<VendorResponseOptions>;
  /** Applied to the final XML (attack material). */
  readonly mutate?: (xml: string) => string;
  readonly provider?: Partial<SamlProviderRuntime> & { decryptionKeyPem?: string | undefined };
  readonly ctx?: Partial<SamlValidationContext>;
  /** undefined: accepted. */
  readonly code?: ErrorCode;
  /** The complete raw claims expected (accepted rows). */
  readonly claims?: Record<string, readonly string[]>;
  readonly identity?: Partial<SamlIdentity>;
}

const validate = (row: Row): Promise<SamlIdentity> => {
  const xml = xmlOf(row.vendor, row.options);
  const provider = providerFor(idps[row.vendor], { id: row.vendor, decryptionKeyPem: spKeys.privateKeyPem, ...row.provider });
  return validateSamlResponse({ samlResponse: encode(row.mutate ? row.mutate(xml) : xml) }, contextFor(provider, row.ctx));
};

/** Every vendor names one group `aws-dev`; the tamper rows turn it into `aws-admin` after signing. */
const promoted = (xml: string): string => {
  const changed = xml.replace(/>aws-dev</, '>aws-admin<');
  if (changed === xml) throw new Error('fixture lacks the aws-dev group value');
  return changed;
};

const CLAIMS: Readonly<Record<Vendor, Record<string, readonly string[]>>> = {
  adfs: {
    sub: ['CONTOSO\\alice'],
    iss: [ENTITY_IDS.adfs],
    acr: [AC.windows],
    [A.msUpn]: ['alice@contoso.com'],
    [A.msEmail]: ['alice@contoso.com'],
    [A.msRole]: ['aws-dev', 'Domain Users'],
  },
  entra: {
    sub: ['x9T0hG1bKx1RrYc3aUQ4bG7xRkq8p1m0eS9vZ4Zz1AE'],
    iss: [ENTITY_IDS.entra],
    acr: [AC.password],
    [A.msTenant]: ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
    [A.msOid]: ['4f3a2d8e-1b6c-4a7e-9f0d-2c5b8e1a3d47'],
    [A.msName]: ['alice@contoso.onmicrosoft.com'],
    [A.msGroups]: ['aws-dev', '9b1a6c3e-44f0-4d8a-b2a1-0e7f5c9d2b13'],
    [A.msDisplayName]: ['Alice Liddell'],
    [A.msIdp]: ['https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/'],
    [A.msAmr]: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', AC.msMfa],
  },
  okta: {
    sub: ['alice@example.com'],
    iss: [ENTITY_IDS.okta],
    acr: [AC.ppt],
    email: ['alice@example.com'],
    groups: ['Everyone', 'aws-dev', 'eng-platform'],
  },
  google: {
    sub: ['alice@example.com'],
    iss: [ENTITY_IDS.google],
    acr: [AC.unspecified],
    [A.awsSessionName]: ['alice@example.com'],
    [A.awsRole]: ['arn:aws:iam::111122223333:role/Dev,arn:aws:iam::111122223333:saml-provider/Google'],
    groups: ['aws-dev', 'all-staff'],
  },
  keycloak: {
    sub: ['alice'],
    iss: [ENTITY_IDS.keycloak],
    acr: [AC.unspecified],
    email: ['alice@example.com'],
    // Keycloak sends one <saml:Attribute Name="Role"> per role: merged into one array, in document order.
    Role: ['aws-dev', 'offline_access', 'uma_authorization', 'manage-account'],
  },
  shibboleth: {
    sub: ['AAdzZWNyZXQxTHw7mC0oDq7xp9pWjpWJ6yIEiA=='],
    iss: [ENTITY_IDS.shibboleth],
    acr: [AC.ppt],
    [A.eppn]: ['alice@example.org'],
    [A.mail]: ['alice@example.org'],
    [A.affiliation]: ['member@example.org', 'staff@example.org'],
    [A.isMemberOf]: ['aws-dev', 'cn=eng,ou=groups,dc=example,dc=org'],
    // eduPersonTargetedID: a NameID inside the AttributeValue, read as its text.
    [A.targetedId]: ['pZ5Nq1gVw7B1m5jWbQ0s6Yk2X9c='],
  },
};

const IDENTITY: Readonly<Record<Vendor, Partial<SamlIdentity>>> = {
  adfs: { nameIdFormat: NAMEID.unspecified, sessionNotOnOrAfter: undefined, notOnOrAfter: seconds(300) },
  // 7 fractional digits: read to the millisecond (.1234567 → .123).
  entra: { nameIdFormat: NAMEID.persistent, sessionNotOnOrAfter: undefined, notOnOrAfter: seconds(3900) },
  okta: { nameIdFormat: NAMEID.unspecified, sessionNotOnOrAfter: undefined },
  google: { nameIdFormat: NAMEID.email, sessionNotOnOrAfter: undefined },
  // Keycloak: Conditions NotOnOrAfter (+60 s) is earlier than the confirmation's (+300 s).
  keycloak: { nameIdFormat: NAMEID.unspecified, sessionNotOnOrAfter: seconds(36_000), notOnOrAfter: seconds(60) },
  shibboleth: { nameIdFormat: NAMEID.transient, sessionNotOnOrAfter: undefined },
};

const own: Row[] = VENDORS.map((vendor) => ({
  name: `${vendor}: the vendor's own response shape`,
  vendor,
  claims: CLAIMS[vendor],
  identity: { providerId: vendor, issuer: ENTITY_IDS[vendor], nameId: CLAIMS[vendor].sub![0], inResponseTo: REQUEST_ID, ...IDENTITY[vendor] },
}));

const P = 'urn:oasis:names:tc:SAML:2.0:status:';

const variations: Row[] = [
  // AD FS
  { name: 'adfs: compact (not pretty-printed)', vendor: 'adfs', options: { pretty: false }, claims: CLAIMS.adfs },
  { name: 'adfs: Success with a nested StatusCode and a StatusMessage', vendor: 'adfs', options: { status: (p) => `<${p}StatusCode Value="${P}Success"><${p}StatusCode Value="${P}PartialLogout"/></${p}StatusCode><${p}StatusMessage>OK</${p}StatusMessage>` }, claims: CLAIMS.adfs },
  { name: 'adfs: both signed, pretty-printed', vendor: 'adfs', options: { signing: 'both' }, claims: CLAIMS.adfs },
  { name: 'adfs: no fractional seconds', vendor: 'adfs', options: { fractionDigits: 0 }, identity: { notOnOrAfter: new Date(Math.floor(seconds(300).getTime() / 1000) * 1000) } },
  // Entra ID
  { name: 'entra: Response and Assertion signed', vendor: 'entra', options: { signing: 'both' }, claims: CLAIMS.entra },
  { name: 'entra: Response only signed', vendor: 'entra', options: { signing: 'response' }, claims: CLAIMS.entra },
  { name: 'entra: IdP-initiated (no InResponseTo anywhere), provider allows it', vendor: 'entra', options: { inResponseTo: undefined }, provider: { allowIdpInitiated: true }, ctx: { expectedInResponseTo: undefined }, identity: { inResponseTo: undefined } },
  { name: 'entra: Format=entity on both Issuers', vendor: 'entra', options: { issuerFormat: true }, claims: CLAIMS.entra },
  {
    name: 'entra: AuthnContextDeclRef only (no ClassRef): no acr',
    vendor: 'entra',
    options: { authnContext: (a) => `<${a}AuthnContextDeclRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</${a}AuthnContextDeclRef>` },
    identity: { authnContextClassRef: undefined },
  },
  // Okta
  { name: 'okta: IdP-initiated, provider allows it', vendor: 'okta', options: { inResponseTo: undefined }, provider: { allowIdpInitiated: true }, ctx: { expectedInResponseTo: undefined }, claims: CLAIMS.okta },
  { name: 'okta: assertion only signed, Issuer without Format', vendor: 'okta', options: { signing: 'assertion', issuerFormat: false }, claims: CLAIMS.okta },
  { name: 'okta: SessionNotOnOrAfter present, SubjectConfirmationData NotBefore', vendor: 'okta', options: { sessionNotOnOrAfter: true, confirmationNotBefore: true }, identity: { sessionNotOnOrAfter: seconds(8 * 3600) } },
  {
    name: 'okta: empty, xsi:nil, untyped, xs:anyType and xs:integer values, an Attribute without values',
    vendor: 'okta',
    options: {
      user: {
        ...VENDOR_USERS.okta,
        attributes: [
          { name: 'department', nameFormat: ATTRNAME.unspecified, values: [''] },
          { name: 'manager', nameFormat: ATTRNAME.unspecified, values: [{ nil: true }] },
          { name: 'costCenter', values: [{ text: 'cc-42', type: null }, { text: 'cc-7', type: 'xs:anyType' }, { text: '42', type: 'xs:integer' }] },
          { name: 'nickname', values: [] },
          { name: 'groups', nameFormat: ATTRNAME.unspecified, values: ['aws-dev'] },
        ],
      },
    },
    claims: { sub: ['alice@example.com'], iss: [ENTITY_IDS.okta], acr: [AC.ppt], department: [''], manager: [], costCenter: ['cc-42', 'cc-7', '42'], nickname: [], groups: ['aws-dev'] },
  },
  // Google Workspace
  { name: 'google: "Signed response" ticked (Response only signed)', vendor: 'google', options: { signing: 'response' }, claims: CLAIMS.google },
  {
    name: 'google: no attribute mapping (no AttributeStatement at all)',
    vendor: 'google',
    options: { user: { ...VENDOR_USERS.google, attributes: [] } },
    claims: { sub: ['alice@example.com'], iss: [ENTITY_IDS.google], acr: [AC.unspecified] },
  },
  { name: 'google: no fractional seconds', vendor: 'google', options: { fractionDigits: 0 }, claims: CLAIMS.google },
  // Keycloak
  { name: 'keycloak: "Include OneTimeUse Condition" (satisfied by the single-use assertion ID)', vendor: 'keycloak', options: { extraConditions: (a) => `<${a}OneTimeUse/>` }, claims: CLAIMS.keycloak },
  { name: 'keycloak: "Sign documents" off (assertion only signed)', vendor: 'keycloak', options: { signing: 'assertion' }, claims: CLAIMS.keycloak },
  { name: 'keycloak: "Sign assertions" off (Response only signed)', vendor: 'keycloak', options: { signing: 'response' }, claims: CLAIMS.keycloak },
  {
    name: 'keycloak: a second AttributeStatement with another Role (merged across statements)',
    vendor: 'keycloak',
    options: { extraStatements: (a) => `<${a}AttributeStatement><${a}Attribute Name="Role"><${a}AttributeValue>aws-readonly</${a}AttributeValue></${a}Attribute></${a}AttributeStatement>` },
    claims: { ...CLAIMS.keycloak, Role: [...CLAIMS.keycloak.Role!, 'aws-readonly'] },
  },
  { name: 'keycloak: no SessionNotOnOrAfter', vendor: 'keycloak', options: { sessionNotOnOrAfter: false }, identity: { sessionNotOnOrAfter: undefined } },
  {
    name: 'keycloak: two AudienceRestrictions, each naming the broker (among others)',
    vendor: 'keycloak',
    options: { audienceRestrictions: [[SP_ENTITY_ID], ['https://other.example.com/sp', SP_ENTITY_ID]] },
    claims: CLAIMS.keycloak,
  },
  {
    name: 'keycloak: an Advice with AssertionIDRef and AssertionURIRef only (accepted, never read)',
    vendor: 'keycloak',
    options: { advice: (a) => `<${a}AssertionIDRef>_7b1f</${a}AssertionIDRef><${a}AssertionURIRef>https://sso.example.com/a/7b1f</${a}AssertionURIRef>` },
    claims: CLAIMS.keycloak,
  },
  // Shibboleth IdP
  {
    name: 'shibboleth: v5 style, AES-256-GCM and xmlenc11 RSA-OAEP with an explicit MGF1',
    vendor: 'shibboleth',
    options: { encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep' } },
    claims: CLAIMS.shibboleth,
  },
  { name: 'shibboleth: EncryptedKey beside EncryptedData (RetrievalMethod)', vendor: 'shibboleth', options: { encryption: { keyPlacement: 'peer' } }, claims: CLAIMS.shibboleth },
  { name: 'shibboleth: default relying party (Response signed, inner assertion not signed)', vendor: 'shibboleth', options: { signInnerAssertion: false }, claims: CLAIMS.shibboleth },
  { name: 'shibboleth: signAssertions only (Response not signed)', vendor: 'shibboleth', options: { signing: 'assertion' }, claims: CLAIMS.shibboleth },
  {
    name: 'shibboleth: ProxyRestriction and OneTimeUse conditions',
    vendor: 'shibboleth',
    options: { extraConditions: (a) => `<${a}OneTimeUse/><${a}ProxyRestriction Count="0"><${a}Audience>${SP_ENTITY_ID}</${a}Audience></${a}ProxyRestriction>` },
    claims: CLAIMS.shibboleth,
  },
  {
    name: 'shibboleth: ClassRef, DeclRef and AuthenticatingAuthority in the AuthnContext',
    vendor: 'shibboleth',
    options: {
      authnContext: (a) =>
        `<${a}AuthnContextClassRef>${AC.refedsMfa}</${a}AuthnContextClassRef><${a}AuthnContextDeclRef>urn:example:decl:mfa</${a}AuthnContextDeclRef>` +
        `<${a}AuthenticatingAuthority>https://upstream.example.org/idp</${a}AuthenticatingAuthority>`,
    },
    identity: { authnContextClassRef: AC.refedsMfa },
  },
  {
    name: 'shibboleth: SPProvidedID on the NameID, no fractional seconds (java.time at a whole second)',
    vendor: 'shibboleth',
    options: { fractionDigits: 0, user: { ...VENDOR_USERS.shibboleth, nameIdQualifiers: { NameQualifier: '{idp}', SPNameQualifier: '{sp}', SPProvidedID: 'alice-at-broker' } } },
    claims: CLAIMS.shibboleth,
  },
  {
    name: 'keycloak: GCM encryption with xmlenc11 RSA-OAEP, SHA-256 digest and MGF1-SHA256',
    vendor: 'keycloak',
    options: { encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: 'sha256' } },
    claims: CLAIMS.keycloak,
  },
  {
    name: 'keycloak: "Encrypt assertions" with AES-256-GCM, assertion only signed (plaintext relies on the EncryptedAssertion prefix)',
    vendor: 'keycloak',
    options: { signing: 'assertion', encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: 'sha256' } },
    claims: CLAIMS.keycloak,
  },
  { name: 'adfs: an AES-256-GCM EncryptedAssertion in the default namespace', vendor: 'adfs', options: { encrypt: true, encryption: { data: 'aes256-gcm' } }, claims: CLAIMS.adfs },
  { name: 'shibboleth: Consent on the Response', vendor: 'shibboleth', options: { responseAttributes: { Consent: 'urn:oasis:names:tc:SAML:2.0:consent:current-explicit' } }, claims: CLAIMS.shibboleth },
];

const refused: Row[] = [
  // one tamper row per vendor (and per signing mode where the vendor offers a choice): a group value changed after signing
  ...VENDORS.map((vendor): Row => ({ name: `${vendor}: group value changed after signing`, vendor, options: { tamper: promoted }, code: 'SIGNATURE_INVALID' })),
  { name: 'entra: group value changed, Response-only signature', vendor: 'entra', options: { signing: 'response', tamper: promoted }, code: 'SIGNATURE_INVALID' },
  { name: 'google: group value changed, Response-only signature', vendor: 'google', options: { signing: 'response', tamper: promoted }, code: 'SIGNATURE_INVALID' },
  { name: 'keycloak: group value changed, assertion-only signature', vendor: 'keycloak', options: { signing: 'assertion', tamper: promoted }, code: 'SIGNATURE_INVALID' },
  { name: 'keycloak: group value changed before encryption, after the in-place assertion signature', vendor: 'keycloak', options: { encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: 'sha256' }, tamper: promoted }, code: 'SIGNATURE_INVALID' },
  {
    name: 'keycloak: EncryptedAssertion re-prefixed in an unsigned Response (the plaintext prefix is left unbound)',
    vendor: 'keycloak',
    options: { signing: 'assertion', encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: 'sha256' } },
    mutate: (x) => x.replace(/saml:EncryptedAssertion xmlns:saml=/, 'a:EncryptedAssertion xmlns:a=').replace('</saml:EncryptedAssertion>', '</a:EncryptedAssertion>'),
    code: 'SAML_INVALID',
  },
  { name: 'shibboleth: unsigned inner assertion where the provider wants signed assertions', vendor: 'shibboleth', options: { signInnerAssertion: false }, provider: { wantAssertionsSigned: true }, code: 'SIGNATURE_INVALID' },
  // wrapping around vendor-shaped messages
  ...(['adfs', 'entra', 'okta', 'google', 'keycloak'] as const).flatMap((vendor): Row[] => [
    { name: `${vendor}: wrapping, unsigned evil assertion before the signed one`, vendor, mutate: (x) => withEvilAssertion(x, 'before'), code: 'SAML_INVALID' },
    { name: `${vendor}: wrapping, signed assertion moved into Extensions`, vendor, options: { signing: 'assertion' }, mutate: (x) => movedInto(x, 'Extensions'), code: 'SAML_INVALID' },
  ]),
  {
    name: 'shibboleth: a plain evil assertion beside the EncryptedAssertion',
    vendor: 'shibboleth',
    mutate: (x) => x.replace(/(<saml2:EncryptedAssertion)/, `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evil" Version="2.0" IssueInstant="${stamp(IDP_CLOCK, 3)}"><saml2:Issuer>${ENTITY_IDS.shibboleth}</saml2:Issuer></saml2:Assertion>$1`),
    code: 'SAML_INVALID',
  },
  // kept refused
  {
    name: 'keycloak: an Advice carrying an Assertion (a second assertion is the wrapping lever)',
    vendor: 'keycloak',
    options: { signing: 'assertion', advice: (a) => `<${a}Assertion ID="_advice" Version="2.0" IssueInstant="${stamp(IDP_CLOCK, 3)}"><${a}Issuer>${ENTITY_IDS.keycloak}</${a}Issuer></${a}Assertion>` },
    code: 'SAML_INVALID',
  },
  { name: 'keycloak: two AudienceRestrictions, one not naming the broker', vendor: 'keycloak', options: { audienceRestrictions: [[SP_ENTITY_ID], ['https://other.example.com/sp']] }, code: 'AUDIENCE_MISMATCH' },
  {
    name: 'adfs: a custom Condition the broker cannot evaluate',
    vendor: 'adfs',
    options: { extraConditions: (a) => `<${a}Condition xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:x="urn:example:conditions" xsi:type="x:DeviceCompliant"/>` },
    code: 'SAML_INVALID',
  },
  {
    name: 'entra: an error response (Requester / RequestDenied, AADSTS50105)',
    vendor: 'entra',
    options: { signing: 'response', status: (p) => `<${p}StatusCode Value="${P}Requester"><${p}StatusCode Value="${P}RequestDenied"/></${p}StatusCode><${p}StatusMessage>AADSTS50105: user not assigned</${p}StatusMessage>` },
    code: 'SAML_STATUS_NOT_SUCCESS',
  },
  { name: 'entra: Response signed for another ACS (Destination)', vendor: 'entra', options: { signing: 'response', acsUrl: 'https://other.example.com/saml/acs' }, code: 'DESTINATION_MISMATCH' },
  { name: 'okta: an IdP-initiated response where the provider does not allow it', vendor: 'okta', options: { inResponseTo: undefined }, ctx: { expectedInResponseTo: undefined }, code: 'UNSOLICITED_RESPONSE' },
  { name: 'google: assertion for another SP of the same IdP', vendor: 'google', options: { spEntityId: 'urn:example:other-sp' }, code: 'AUDIENCE_MISMATCH' },
  { name: 'shibboleth: no decryption key configured', vendor: 'shibboleth', provider: { decryptionKeyPem: undefined, decryptionKey: undefined }, code: 'SAML_INVALID' },
  // encryption the broker does not accept (CBC invites padding oracles, PKCS#1 v1.5 Bleichenbacher)
  { name: 'adfs: token encryption on (AES-256-CBC, RSA-OAEP)', vendor: 'adfs', options: { encrypt: true, encryption: { data: 'aes256-cbc' } }, code: 'ALGORITHM_NOT_ALLOWED' },
  { name: 'entra: token encryption on (AES-256-CBC, RSA-OAEP)', vendor: 'entra', options: { encrypt: true, encryption: { data: 'aes256-cbc' } }, code: 'ALGORITHM_NOT_ALLOWED' },
  { name: 'okta: assertion encryption with RSA 1.5 key transport', vendor: 'okta', options: { encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-1_5' } }, code: 'ALGORITHM_NOT_ALLOWED' },
  {
    name: 'keycloak: xmlenc11 RSA-OAEP with a SHA-256 digest but MGF1-SHA1 (Node decrypts one hash only)',
    vendor: 'keycloak',
    options: { encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: null } },
    code: 'ALGORITHM_NOT_ALLOWED',
  },
  { name: 'adfs: expired (the IdP answered 10 minutes ago)', vendor: 'adfs', options: { now: seconds(-600) }, code: 'TOKEN_EXPIRED' },
];

describe('vendor-shaped SAML responses: accepted with the docs/rules.md, the claims object claims', () => {
  it.each([...own, ...variations])('$name', async (row) => {
    const identity = await validate(row);
    expect(identity).toMatchObject({ providerId: row.vendor, issuer: ENTITY_IDS[row.vendor], ...row.identity });
    if (row.claims) expect({ ...identity.rawClaims }).toEqual(row.claims);
  });
});

describe('vendor-shaped SAML responses: attacks still refused', () => {
  it.each(refused)('$name', async (row) => {
    await expect(validate(row)).rejects.toMatchObject({ code: row.code });
  });
});

describe('vendor metadata', () => {
  const sso: Readonly<Record<Vendor, string>> = {
    adfs: 'https://adfs.contoso.com/adfs/ls/',
    entra: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2',
    okta: 'https://example.okta.com/app/example_broker_1/exk1fcia6d6EMsf8r1d8/sso/saml',
    google: 'https://accounts.google.com/o/saml2/idp?idpid=C01n8ctz3',
    keycloak: 'https://sso.example.com/realms/corp/protocol/saml',
    shibboleth: 'https://idp.example.org/idp/profile/SAML2/Redirect/SSO',
  };
  // WS-Federation RoleDescriptors and a metadata signature (AD FS, Entra), Extensions, comments and an
  // AttributeAuthorityDescriptor (Shibboleth), KeyName (Keycloak): one signing key each, the Redirect endpoint.
  it.each(VENDORS)('%s', (vendor) => {
    const metadata = providerFor(idps[vendor]).metadata;
    expect(metadata).toMatchObject({ entityId: ENTITY_IDS[vendor], ssoRedirectUrl: sso[vendor] });
    expect(metadata.signingCerts.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([new X509Certificate(idpKeys.certPem).fingerprint256]);
  });
});

describe('vendor-shaped SAML responses: the shapes are what the vendors send', () => {
  it('keycloak encrypts the Assertion as written in its Response: the plaintext does not declare saml:', () => {
    const xml = xmlOf('keycloak', { encrypt: true, encryption: { data: 'aes256-gcm', keyTransport: 'rsa-oaep', oaepDigest: 'sha256', mgf: 'sha256' } });
    const parsed = parseStrictXml(xml, LIMITS);
    const encrypted = parsed.doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'EncryptedAssertion').item(0)!;
    const plaintext = decryptAssertion(encrypted, createPrivateKey(spKeys.privateKeyPem));
    expect(plaintext).toMatch(/^<saml:Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" /);
    expect(plaintext).not.toContain('xmlns:saml=');
    expect(() => parseStrictXml(plaintext, LIMITS)).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));
  });

  const fragments: Readonly<Record<Vendor, readonly string[]>> = {
    adfs: ['Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified"', '<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">', '\n  <samlp:Status>', '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">'],
    entra: ['<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">', `IssueInstant="${stamp(IDP_CLOCK, 7)}"`],
    okta: ['<saml2p:Response ', 'Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"', '<ec:InclusiveNamespaces PrefixList="xs"', 'xsi:type="xs:string"'],
    google: ['standalone="no"', 'xsi:type="xs:anyType"', '<ds:X509SubjectName>'],
    keycloak: ['<dsig:Signature', '<saml:Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"', '&#13;\n', 'ID="ID_'],
    shibboleth: ['<saml2:EncryptedAssertion', 'http://www.w3.org/2009/xmlenc11#aes128-gcm', 'Recipient="urn:example:broker"'],
  };
  it.each(VENDORS)('%s', (vendor) => {
    const xml = xmlOf(vendor);
    for (const fragment of fragments[vendor]) expect(xml).toContain(fragment);
    const signatures = xml.match(/<(?:\w+:)?Signature[\s>]/g) ?? [];
    expect(signatures).toHaveLength({ adfs: 1, entra: 1, okta: 2, google: 1, keycloak: 2, shibboleth: 1 }[vendor]);
  });
});
