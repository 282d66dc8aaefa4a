// The SAML half of the subject-token verifier of /token and /roles: a Response or a bare Assertion (unsolicited
// by nature) through the SAML validator. It is the whole XML stack (xmldom, xml-crypto, xpath), so the token and
// roles functions do not bundle it with their handler: each has a second entry point (functions/<fn>/saml2.ts)
// that re-exports this module, built by sam build as its own file beside index.mjs and imported on the first
// saml2 subject token. The replay store is the caller's, so the DynamoDB client is not duplicated.

import type { BrokerConfig } from '../config/index.ts';
import { fromSaml, type VerifiedIdentity } from '../identity/verified-identity.ts';
import { samlProvidersOf, spSettingsOf, validateSamlResponse } from '../saml/index.ts';
import type { ReplayStore } from '../stores/replay.ts';

export type SamlSubjectVerifier = (token: string, now: Date) => Promise<VerifiedIdentity>;

export const createSamlSubjectVerifier = (config: BrokerConfig, replay: ReplayStore): SamlSubjectVerifier => {
  const providers = samlProvidersOf(config);
  const sp = spSettingsOf(config);
  return async (token, now) => {
    const identity = await validateSamlResponse(
      { samlResponse: token, bareAssertionAllowed: true },
      { providers, spEntityId: sp.entityId, acsUrl: sp.acsUrl, now, clockSkewSeconds: config.broker.clockSkewSeconds, maxAssertionAgeSeconds: config.broker.maxAssertionAgeSeconds, replay },
    );
    return fromSaml(identity);
  };
};
