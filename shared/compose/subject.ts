// The subject-token verifier of /token and /roles: ID tokens through the OIDC verifier; SAML subject tokens
// through the SAML verifier (saml-subject.ts), loaded by the function's `loadSaml` (its saml2 module,
// compose/modules.ts) only when one arrives, so that the token and roles functions neither bundle nor compile the XML
// stack for ID tokens.

import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { Sessions } from '../flows/cli-session.ts';
import type { SubjectVerifier } from '../flows/token-exchange.ts';
import { fromOidc } from '../identity/verified-identity.ts';
import { createOidcVerifier, type OidcVerifierDeps } from '../oidc/index.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { createSamlSubjectVerifier, SamlSubjectVerifier } from './saml-subject.ts';

/** Loads the SAML half: the function's second bundle (functions/<fn>/saml2.ts) or, from source, the module itself. */
export type SamlSubjectLoader = () => Promise<{ readonly createSamlSubjectVerifier: typeof createSamlSubjectVerifier }>;

/**
 * `sessions`: broker sessions (CLI sign-in) when the config enables them; without, a session subject token is an
 * unsupported token type. `onKeyFetch`: told of the OIDC verifier's key fetches (metrics).
 */
export const createSubjectVerifier = (config: BrokerConfig, replay: ReplayStore, loadSaml: SamlSubjectLoader, sessions?: Sessions, onKeyFetch?: OidcVerifierDeps['onKeyFetch']): SubjectVerifier => {
  const oidc = createOidcVerifier(config, { replay, ...(onKeyFetch === undefined ? {} : { onKeyFetch }) });
  let saml: Promise<SamlSubjectVerifier> | undefined;
  return async (request, now, seen) => {
    if (request.kind === 'session') {
      if (!sessions) throw new BrokerError('UNSUPPORTED_TOKEN_TYPE', 'CLI sign-in is not enabled (broker.cli)');
      return sessions.open({ token: request.subjectToken, proof: request.proof, method: 'POST', url: request.endpoint }, now, seen);
    }
    if (request.kind === 'saml2') {
      saml ??= loadSaml().then((m) => m.createSamlSubjectVerifier(config, replay));
      return (await saml)(request.subjectToken, now);
    }
    return fromOidc(await oidc.verify(request.subjectToken, now));
  };
};
