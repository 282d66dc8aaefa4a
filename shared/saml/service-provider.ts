// The SP side of SAML at run time: the metadata document of GET /saml/metadata and the SP-initiated
// AuthnRequest (HTTP-Redirect binding). Both are fixed templates with escaped values, written here rather than
// through samlify's entity objects, which would bring ~500 KB of XML libraries into the SAML and token bundles
// and their cold starts (docs/performance.md). The output is byte for byte what samlify 2.13 writes for the same
// settings (unsigned AuthnRequest, POST ACS, nameid-format unspecified), so IdPs see no change.

import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { BrokerConfig } from '../config/index.ts';
import { fail } from '../errors.ts';
import { BINDING_POST, NS } from './constants.ts';
import type { SamlProviderRuntime } from './types.ts';

export interface SpSettings {
  readonly entityId: string;
  readonly acsUrl: string;
  /** PEM certificates advertised for EncryptedAssertion (the providers' decryptionCert). */
  readonly encryptionCerts?: readonly string[] | undefined;
  /** True only when every SAML provider enforces a signature on the Assertion itself (wantAssertionsSigned). */
  readonly wantAssertionsSigned?: boolean | undefined;
}

const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
/** SAML bindings §3.4.3: RelayState is at most 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Every value goes into the XML escaped (text and attributes alike): no configured value can add markup. */
const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The base64 body of a PEM certificate, as metadata carries it. */
const certificateBody = (pem: string): string =>
  pem.replace(/[\r\n]/g, '').replace('-----BEGIN CERTIFICATE-----', '').replace('-----END CERTIFICATE-----', '').replace(/[ \t]/g, '');

export const spSettingsOf = (config: BrokerConfig): SpSettings => {
  const encryptionCerts = Object.values(config.material.saml).flatMap((m) => (m.decryptionCert === undefined ? [] : [m.decryptionCert]));
  const saml = Object.values(config.providers).filter((p) => p.type === 'saml');
  // One SP document serves every SAML provider: it may only promise what each of them enforces.
  const wantAssertionsSigned = saml.length > 0 && saml.every((p) => p.wantAssertionsSigned);
  return { entityId: config.broker.samlEntityId, acsUrl: config.broker.acsUrl, encryptionCerts: [...new Set(encryptionCerts)], wantAssertionsSigned };
};

/**
 * The SP metadata document served at GET /saml/metadata: unsigned AuthnRequests, one HTTP-POST ACS, and
 * WantAssertionsSigned stating what is enforced: "true" only when every SAML provider requires a signed Assertion
 * (otherwise a signed Response around an unsigned assertion is accepted, and the document must not claim more).
 */
export const spMetadataXml = (sp: SpSettings): string => {
  const keys = (sp.encryptionCerts ?? []).map(
    (pem) => `<KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="${NS.ds}"><ds:X509Data><ds:X509Certificate>${esc(certificateBody(pem))}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>`,
  );
  return (
    `<EntityDescriptor entityID="${esc(sp.entityId)}" xmlns="${NS.metadata}" xmlns:assertion="${NS.assertion}" xmlns:ds="${NS.ds}">` +
    `<SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="${sp.wantAssertionsSigned === true ? 'true' : 'false'}" protocolSupportEnumeration="${NS.protocol}">` +
    keys.join('') +
    `<NameIDFormat>${NAMEID_UNSPECIFIED}</NameIDFormat>` +
    `<AssertionConsumerService index="0" Binding="${BINDING_POST}" Location="${esc(sp.acsUrl)}"></AssertionConsumerService>` +
    '</SPSSODescriptor></EntityDescriptor>'
  );
};

const authnRequestXml = (id: string, issueInstant: string, destination: string, sp: SpSettings): string =>
  `<samlp:AuthnRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${esc(id)}" Version="2.0" IssueInstant="${issueInstant}" ` +
  `Destination="${esc(destination)}" ProtocolBinding="${BINDING_POST}" AssertionConsumerServiceURL="${esc(sp.acsUrl)}">` +
  `<saml:Issuer>${esc(sp.entityId)}</saml:Issuer><samlp:NameIDPolicy Format="${NAMEID_UNSPECIFIED}" AllowCreate="false"/></samlp:AuthnRequest>`;

/** SP-initiated sign-in: the IdP URL (Redirect binding) and the request ID to remember for InResponseTo. */
export const buildLoginRedirect = (provider: SamlProviderRuntime, sp: SpSettings, relayState?: string): { url: string; requestId: string } => {
  if (relayState !== undefined && Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) fail('INVALID_REQUEST', 'RelayState is longer than 80 bytes');
  const location = provider.metadata.ssoRedirectUrl ?? fail('CONFIG_INVALID', `providers.${provider.id}: the metadata has no HTTP-Redirect SingleSignOnService`);
  // Unpredictable and unique: the ID comes back as InResponseTo and is claimed once.
  const requestId = `_${randomUUID()}`;
  const xml = authnRequestXml(requestId, new Date().toISOString(), location, sp);
  // SAML bindings §3.4.4.1: DEFLATE (raw), base64, URL-encoded; appended to whatever query the endpoint has.
  const samlRequest = encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'));
  const path = location.split('#', 1)[0]!;
  const separator = path.indexOf('?') >= 0 && path.indexOf('?') < path.length - 1 ? '&' : '?';
  const relay = relayState === undefined || relayState === '' ? '' : `&RelayState=${encodeURIComponent(relayState)}`;
  return { url: `${location}${separator}SAMLRequest=${samlRequest}${relay}`, requestId };
};
