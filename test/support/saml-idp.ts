// The test SAML IdP: samlify as the IdP (tools/local/dev-saml-response.ts), keys generated at test time, plus
// what the tests need around it: the SP side config, an in-memory replay store, and encode/mutate helpers so
// that each attack row is one mutation of a valid signed response.

import { createPrivateKey } from 'node:crypto';
import { DOMParser, XMLSerializer, type Document } from '@xmldom/xmldom';
import { BrokerError } from '../../shared/errors.ts';
import { parseIdpMetadata } from '../../shared/saml/metadata.ts';
import type { SamlProviderRuntime, SamlValidationContext } from '../../shared/saml/types.ts';
import type { ReplayStore } from '../../shared/stores/replay.ts';
import { createSamlIdp, generateKeyPair, type LoginResponseOptions, type SamlIdp, type SamlUserClaims } from '../../tools/local/dev-saml-response.ts';

export { generateKeyPair, type SamlIdp };

export const SP_ENTITY_ID = 'urn:example:broker';
export const ACS_URL = 'https://broker.example.com/saml/acs';
export const IDP_ENTITY_ID = 'https://idp.example.com/saml';
export const REQUEST_ID = '_req-4f1c2a';
/** A fixed instant: nothing in these tests depends on the wall clock. */
export const NOW = new Date('2026-11-22T12:00:00.000Z');

export const ATTR = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  amr: 'amr',
  department: 'department',
} as const;

export const ALICE: SamlUserClaims = {
  nameId: 'alice@example.com',
  attributes: { [ATTR.email]: ['alice@example.com'], [ATTR.groups]: ['aws-dev', 'eng-platform'], [ATTR.amr]: ['mfa'], [ATTR.department]: ['Platform'] },
  authnContextClassRef: 'https://refeds.org/profile/mfa',
};
export const BOB: SamlUserClaims = {
  nameId: 'bob@example.com',
  attributes: { [ATTR.email]: ['bob@example.com'], [ATTR.groups]: ['aws-dev'] },
};

export type ResponseOptions = Partial<LoginResponseOptions>;

export interface TestIdp extends SamlIdp {
  /** The signed response XML for `options` over the defaults (alice, assertion-signed, solicited by REQUEST_ID, at NOW). */
  xml(options?: ResponseOptions): Promise<string>;
  /** The same, base64-encoded as the browser posts it. */
  response(options?: ResponseOptions): Promise<string>;
}

export const createTestIdp = async (options: { entityId?: string; keys?: { privateKeyPem: string; certPem: string }; extraCertPems?: readonly string[] } = {}): Promise<TestIdp> => {
  const idp = await createSamlIdp({
    entityId: options.entityId ?? IDP_ENTITY_ID,
    ssoUrl: 'https://idp.example.com/sso',
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.extraCertPems ? { extraCertPems: options.extraCertPems } : {}),
  });
  const xml = (o: ResponseOptions = {}): Promise<string> =>
    idp.loginResponseXml({ now: NOW, user: ALICE, spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, inResponseTo: REQUEST_ID, ...o });
  return { ...idp, loginResponseXml: idp.loginResponseXml, xml, response: async (o) => encode(await xml(o)) };
};

export const encode = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
export const decode = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');

/** Parse (leniently: attack material is often malformed on purpose), mutate, serialize. */
export const mutateDom = (xml: string, mutate: (doc: Document) => void): string => {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  mutate(doc);
  return new XMLSerializer().serializeToString(doc);
};

/** A provider at run time; `decryptionKeyPem` is read as the config loader would read decryptionKey. */
export const providerFor = (idp: { metadataXml: string }, overrides: Partial<SamlProviderRuntime> & { decryptionKeyPem?: string | undefined } = {}): SamlProviderRuntime => {
  const { decryptionKeyPem, ...rest } = overrides;
  return {
    id: 'corp-saml',
    metadata: parseIdpMetadata(idp.metadataXml),
    allowIdpInitiated: false,
    wantAssertionsSigned: false,
    allowSha1: false,
    ...(decryptionKeyPem === undefined ? {} : { decryptionKey: createPrivateKey(decryptionKeyPem) }),
    ...rest,
  };
};

/** What DynamoDB's conditional write does, in memory: the first claim wins, later ones are replays. */
export const memoryReplayStore = (): ReplayStore & { readonly keys: Map<string, Date> } => {
  const keys = new Map<string, Date>();
  return {
    keys,
    async claimOnce(key, expiresAt) {
      if (keys.has(key)) throw new BrokerError('REPLAY_DETECTED');
      keys.set(key, expiresAt);
    },
  };
};

export const contextFor = (provider: SamlProviderRuntime, overrides: Partial<SamlValidationContext> = {}): SamlValidationContext => ({
  providers: { [provider.id]: provider },
  spEntityId: SP_ENTITY_ID,
  acsUrl: ACS_URL,
  now: NOW,
  clockSkewSeconds: 60,
  maxAssertionAgeSeconds: 600,
  expectedInResponseTo: REQUEST_ID,
  replay: memoryReplayStore(),
  ...overrides,
});
