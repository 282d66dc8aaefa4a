// A SAML identity provider built on samlify (IdentityProvider + createLoginResponse): the peer of the broker in
// development (dev-saml-idp.ts) and in tests (test/support/saml-idp.ts). Keys are generated at start with
// `selfsigned`, never stored. Times come from the caller (`now`), never from the wall clock.

import { randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import {
  Constants,
  IdentityProvider,
  SamlLib,
  ServiceProvider,
  type IdentityProviderInstance,
  type ServiceProviderInstance,
} from 'samlify';
import './samlify-strict.ts'; // registers the strict structural validator with samlify

export interface SamlUserClaims {
  readonly nameId: string;
  readonly nameIdFormat?: string;
  /** Attribute Name → values (several values: one AttributeValue each). */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly authnContextClassRef?: string;
}

/** Every field the tests vary; each defaults to what a well-behaved IdP sends. `null` omits the element. */
export interface LoginResponseOptions {
  readonly now: Date;
  readonly user: SamlUserClaims;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly signing?: 'assertion' | 'response' | 'both';
  readonly signatureAlgorithm?: string;
  /** Encrypt the assertion for this SP certificate (AES-256-GCM, RSA-OAEP). */
  readonly encryptForCertPem?: string;
  readonly inResponseTo?: string;
  readonly issuer?: string;
  readonly assertionIssuer?: string;
  readonly destination?: string | null;
  readonly audiences?: readonly string[] | null;
  readonly recipient?: string;
  readonly statusCode?: string;
  readonly confirmationMethod?: string;
  readonly issueInstant?: Date;
  readonly notBefore?: Date;
  readonly notOnOrAfter?: Date;
  readonly subjectNotOnOrAfter?: Date | null;
  readonly conditions?: boolean;
  readonly sessionNotOnOrAfter?: Date;
  readonly assertionId?: string;
  /** Tests: one change to the response XML before it is signed (a shape the options above cannot express). */
  readonly beforeSigning?: (xml: string) => string;
}

export interface SamlIdp {
  readonly entityId: string;
  readonly certPem: string;
  readonly privateKeyPem: string;
  readonly metadataXml: string;
  /** The signed response as XML text. */
  loginResponseXml(options: LoginResponseOptions): Promise<string>;
  /** An AuthnRequest from the Redirect binding, parsed by samlify (behind the broker's strict validator). */
  parseAuthnRequest(sp: ServiceProviderInstance, query: Record<string, string>): Promise<AuthnRequestInfo>;
}

export interface AuthnRequestInfo {
  readonly id: string;
  readonly issuer: string;
  readonly assertionConsumerServiceUrl?: string | undefined;
}

export interface SamlIdpOptions {
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Extra certificates published in the metadata (key rollover tests). */
  readonly extraCertPems?: readonly string[];
  /** Use this key pair instead of generating one. */
  readonly keys?: { readonly privateKeyPem: string; readonly certPem: string };
}

export const generateKeyPair = async (commonName: string): Promise<{ privateKeyPem: string; certPem: string }> => {
  const result = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return { privateKeyPem: result.private, certPem: result.cert };
};

const RESPONSE_TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>' +
  '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
  '<saml:Issuer>{AssertionIssuer}</saml:Issuer><saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="{ConfirmationMethod}"><saml:SubjectConfirmationData NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" Recipient="{SubjectRecipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation>' +
  '</saml:Subject>{ConditionsXml}{AuthnStatementXml}{AttributeStatementXml}</saml:Assertion></samlp:Response>';
const CONDITIONS_TEMPLATE = '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}">{AudienceXml}</saml:Conditions>';
const AUTHN_TEMPLATE =
  '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}" SessionNotOnOrAfter="{SessionNotOnOrAfter}"><saml:AuthnContext><saml:AuthnContextClassRef>{ClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
const ATTRIBUTE_TEMPLATE = '<saml:Attribute Name="{Name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">{ValuesXml}</saml:Attribute>';
const VALUE_TEMPLATE = '<saml:AttributeValue xsi:type="xs:string">{Value}</saml:AttributeValue>';
const PASSWORD_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

const fill = (template: string, values: Record<string, string | undefined>): string => SamlLib.replaceTagsByValue(template, values);
const iso = (date: Date): string => date.toISOString();
const later = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

/** The unsigned response XML: samlify's templating (it escapes every value), our fragments for the rest. */
const renderResponse = (o: LoginResponseOptions, idpEntityId: string): string => {
  const audiences = o.audiences === undefined ? [o.spEntityId] : o.audiences;
  const audienceXml = audiences === null ? '' : `<saml:AudienceRestriction>${audiences.map((a) => fill('<saml:Audience>{A}</saml:Audience>', { A: a })).join('')}</saml:AudienceRestriction>`;
  const conditions = o.conditions === false ? '' : fill(CONDITIONS_TEMPLATE, { NotBefore: iso(o.notBefore ?? later(o.now, -30)), NotOnOrAfter: iso(o.notOnOrAfter ?? later(o.now, 300)) }).replace('{AudienceXml}', audienceXml);
  const authn = fill(AUTHN_TEMPLATE, {
    AuthnInstant: iso(o.issueInstant ?? o.now),
    SessionIndex: `_s${randomUUID()}`,
    SessionNotOnOrAfter: iso(o.sessionNotOnOrAfter ?? later(o.now, 8 * 3600)),
    ClassRef: o.user.authnContextClassRef ?? PASSWORD_CLASS,
  });
  const attributes = Object.entries(o.user.attributes).map(([name, values]) =>
    fill(ATTRIBUTE_TEMPLATE, { Name: name }).replace('{ValuesXml}', values.map((v) => fill(VALUE_TEMPLATE, { Value: v })).join('')),
  );
  return fill(RESPONSE_TEMPLATE, {
    ID: `_r${randomUUID()}`,
    AssertionID: o.assertionId ?? `_a${randomUUID()}`,
    IssueInstant: iso(o.issueInstant ?? o.now),
    Destination: o.destination === undefined ? o.acsUrl : (o.destination ?? undefined),
    InResponseTo: o.inResponseTo,
    Issuer: o.issuer ?? idpEntityId,
    AssertionIssuer: o.assertionIssuer ?? o.issuer ?? idpEntityId,
    StatusCode: o.statusCode ?? Constants.StatusCode.Success,
    NameIDFormat: o.user.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    NameID: o.user.nameId,
    ConfirmationMethod: o.confirmationMethod ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
    SubjectConfirmationDataNotOnOrAfter: o.subjectNotOnOrAfter === null ? undefined : iso(o.subjectNotOnOrAfter ?? later(o.now, 300)),
    SubjectRecipient: o.recipient ?? o.acsUrl,
  })
    .replace('{ConditionsXml}', conditions)
    .replace('{AuthnStatementXml}', authn)
    .replace('{AttributeStatementXml}', attributes.length === 0 ? '' : `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>`);
};

/** samlify's SP entity as the IdP sees it: its flags decide which elements samlify signs. */
const peerOf = (o: LoginResponseOptions): ServiceProviderInstance =>
  ServiceProvider({
    entityID: o.spEntityId,
    assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: o.acsUrl }],
    wantAssertionsSigned: (o.signing ?? 'assertion') !== 'response',
    wantMessageSigned: (o.signing ?? 'assertion') !== 'assertion',
    ...(o.encryptForCertPem === undefined ? {} : { encryptCert: o.encryptForCertPem }),
  });

export const createSamlIdp = async (options: SamlIdpOptions): Promise<SamlIdp> => {
  const keys = options.keys ?? (await generateKeyPair(new URL(options.entityId).host || 'dev-saml-idp'));
  const entityOf = (o: LoginResponseOptions): IdentityProviderInstance => {
    const settings = {
      entityID: options.entityId,
      privateKey: keys.privateKeyPem,
      signingCert: [keys.certPem, ...(options.extraCertPems ?? [])],
      singleSignOnService: [
        { Binding: Constants.namespace.binding.redirect, Location: options.ssoUrl },
        { Binding: Constants.namespace.binding.post, Location: options.ssoUrl },
      ],
      singleLogoutService: [{ Binding: Constants.namespace.binding.redirect, Location: options.ssoUrl }],
      nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
      loginResponseTemplate: { context: RESPONSE_TEMPLATE, attributes: [] },
      isAssertionEncrypted: o.encryptForCertPem !== undefined,
      dataEncryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      keyEncryptionAlgorithm: Constants.algorithms.encryption.key.RSA_OAEP_MGF1P,
      ...(o.signatureAlgorithm === undefined ? {} : { requestSignatureAlgorithm: o.signatureAlgorithm }),
    };
    return IdentityProvider(settings);
  };
  const plain = entityOf({ now: new Date(0), user: { nameId: '', attributes: {} }, spEntityId: '', acsUrl: '' });
  const metadataXml = plain.getMetadata();
  return {
    entityId: options.entityId,
    certPem: keys.certPem,
    privateKeyPem: keys.privateKeyPem,
    metadataXml,
    async loginResponseXml(o) {
      const idp = entityOf(o);
      const rendered = renderResponse(o, options.entityId);
      const xml = o.beforeSigning ? o.beforeSigning(rendered) : rendered;
      const encryptThenSign = o.encryptForCertPem !== undefined && o.signing !== 'assertion';
      const result = await idp.createLoginResponse(peerOf(o), { extract: {} }, 'post', { email: o.user.nameId }, {
        customTagReplacement: () => ({ id: '', context: xml }),
        encryptThenSign,
      });
      return Buffer.from(result.context, 'base64').toString('utf8');
    },
    async parseAuthnRequest(sp, query) {
      const { extract } = await plain.parseLoginRequest(sp, 'redirect', { query });
      const request = (extract.request ?? {}) as Record<string, string | string[] | undefined>;
      const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      const id = text(request.id);
      const issuer = text(extract.issuer);
      if (!id || !issuer) throw new Error('AuthnRequest without ID or Issuer');
      return { id, issuer, assertionConsumerServiceUrl: text(request.assertionConsumerServiceUrl) };
    },
  };
};
