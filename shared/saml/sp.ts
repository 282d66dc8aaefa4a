// samlify where it does well: the SP metadata document and the SP-initiated AuthnRequest (Redirect binding).
// Validation of inbound messages is ours (validate.ts). samlify refuses to parse anything without a schema
// validator: it gets the broker's strict structural validator, so that nothing samlify parses (the dev IdP
// parses AuthnRequests with it) escapes the same checks.

import { Constants, IdentityProvider, ServiceProvider, setSchemaValidator, type IdentityProviderInstance, type ServiceProviderInstance } from 'samlify';
import type { BrokerConfig } from '../config/index.ts';
import { fail } from '../errors.ts';
import { LIMITS, NS } from './constants.ts';
import { checkSignatureShapes } from './signature-shape.ts';
import type { SamlProviderRuntime } from './types.ts';
import { elementChildren, isElement, parseStrictXml } from './xml.ts';

export interface SpSettings {
  readonly entityId: string;
  readonly acsUrl: string;
  /** PEM certificates advertised for EncryptedAssertion (the providers' decryptionCert). */
  readonly encryptionCerts?: readonly string[] | undefined;
}

const PROTOCOL_ROOTS = ['AuthnRequest', 'Response', 'LogoutRequest', 'LogoutResponse'];
const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
/** SAML bindings §3.4.3: RelayState is at most 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

/**
 * The structural validator samlify calls before it parses: one strict parse (no DOCTYPE, PI, comment,
 * duplicate ID; bounded), a SAML root, at most one assertion, signatures only on the root or its assertion
 * and each with the one-Reference enveloped shape. Resolves on success, rejects otherwise (samlify's contract).
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

export const spSettingsOf = (config: BrokerConfig): SpSettings => {
  const encryptionCerts = Object.values(config.providers).flatMap((p) =>
    p.type === 'saml' && p.decryptionCert !== undefined ? [config.secrets.get(p.decryptionCert) ?? fail('CONFIG_INVALID', 'decryptionCert is not resolved')] : [],
  );
  return { entityId: config.broker.samlEntityId, acsUrl: config.broker.acsUrl, encryptionCerts: [...new Set(encryptionCerts)] };
};

const serviceProviders = new Map<string, ServiceProviderInstance>();
const serviceProviderOf = (sp: SpSettings): ServiceProviderInstance => {
  const key = JSON.stringify([sp.entityId, sp.acsUrl, sp.encryptionCerts ?? []]);
  let entity = serviceProviders.get(key);
  if (!entity) {
    entity = ServiceProvider({
      entityID: sp.entityId,
      assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: sp.acsUrl }],
      authnRequestsSigned: false,
      // Ask IdPs for the stronger form; validation still follows each provider's wantAssertionsSigned.
      wantAssertionsSigned: true,
      nameIDFormat: [NAMEID_UNSPECIFIED],
      ...(sp.encryptionCerts && sp.encryptionCerts.length > 0 ? { encryptCert: [...sp.encryptionCerts] } : {}),
    });
    serviceProviders.set(key, entity);
  }
  return entity;
};

const identityProviders = new WeakMap<SamlProviderRuntime, IdentityProviderInstance>();
const identityProviderOf = (provider: SamlProviderRuntime): IdentityProviderInstance => {
  let entity = identityProviders.get(provider);
  if (!entity) {
    const location = provider.metadata.ssoRedirectUrl ?? fail('CONFIG_INVALID', `providers.${provider.id}: the metadata has no HTTP-Redirect SingleSignOnService`);
    // Built from our parsed metadata: samlify never parses the IdP's metadata text itself.
    entity = IdentityProvider({
      entityID: provider.metadata.entityId,
      signingCert: [...provider.metadata.signingCerts],
      singleSignOnService: [{ Binding: Constants.namespace.binding.redirect, Location: location }],
      wantAuthnRequestsSigned: false,
    });
    identityProviders.set(provider, entity);
  }
  return entity;
};

/** The SP metadata document served at GET /saml/metadata. */
export const spMetadataXml = (sp: SpSettings): string => serviceProviderOf(sp).getMetadata();

/** SP-initiated sign-in: the IdP URL (Redirect binding) and the request ID to remember for InResponseTo. */
export const buildLoginRedirect = (provider: SamlProviderRuntime, sp: SpSettings, relayState?: string): { url: string; requestId: string } => {
  if (relayState !== undefined && Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) fail('INVALID_REQUEST', 'RelayState is longer than 80 bytes');
  const { id, context } = serviceProviderOf(sp).createLoginRequest(identityProviderOf(provider), 'redirect', relayState === undefined ? {} : { relayState });
  return { url: context, requestId: id };
};
