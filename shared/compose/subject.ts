// The subject-token verifier of /token and /roles: ID tokens through the OIDC verifier; SAML subject tokens
// (a Response or a bare Assertion, unsolicited by nature) through the SAML validator, loaded only when one
// arrives so that the token function's cold start does not pay for the XML stack.

import type { BrokerConfig } from '../config/index.ts';
import type { SubjectVerifier } from '../flows/token-exchange.ts';
import { fromSamlIdentity, type VerifiedIdentity } from '../flows/identity.ts';
import { createOidcVerifier } from '../oidc/index.ts';
import type { ReplayStore } from '../stores/replay.ts';

type SamlVerifier = (token: string, now: Date) => Promise<VerifiedIdentity>;

const loadSamlVerifier = async (config: BrokerConfig, replay: ReplayStore): Promise<SamlVerifier> => {
  const saml = await import('../saml/index.ts');
  const providers = saml.samlProvidersOf(config);
  const sp = saml.spSettingsOf(config);
  return async (token, now) => {
    const identity = await saml.validateSamlResponse(
      { samlResponse: token, bareAssertionAllowed: true },
      { providers, spEntityId: sp.entityId, acsUrl: sp.acsUrl, now, clockSkewSeconds: config.broker.clockSkewSeconds, maxAssertionAgeSeconds: config.broker.maxAssertionAgeSeconds, replay },
    );
    return fromSamlIdentity(identity, now);
  };
};

export const createSubjectVerifier = (config: BrokerConfig, replay: ReplayStore): SubjectVerifier => {
  const oidc = createOidcVerifier(config, { replay });
  let saml: Promise<SamlVerifier> | undefined;
  return async (request, now) => {
    if (request.kind === 'saml2') {
      saml ??= loadSamlVerifier(config, replay);
      return (await saml)(request.subjectToken, now);
    }
    const verified = await oidc.verify(request.subjectToken, now);
    return { providerId: verified.providerId, protocol: 'oidc', subject: verified.subject, tokenId: verified.jti, rawClaims: verified.claims };
  };
};
