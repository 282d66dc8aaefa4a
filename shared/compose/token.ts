// The token and roles functions' routes: POST /token and POST /roles over the shared services, with the subject-token
// verifier (ID tokens here; SAML subject tokens through the function's second bundle, loaded on the first one).

import { createRoleListing, createTokenExchange } from '../flows/token-exchange.ts';
import type { RouteHandler } from '../http/handler.ts';
import { router } from '../http/routes/router.ts';
import { rolesRoute, tokenRoute } from '../http/routes/token.ts';
import type { Broker } from './broker.ts';
import { issuerOf, keyFetchesOf, replayOf, sessionsOf } from './services.ts';
import { createSubjectVerifier, type SamlSubjectLoader } from './subject.ts';

export const composeTokenRoutes = (broker: Broker, loadSaml: SamlSubjectLoader): RouteHandler => {
  const verify = createSubjectVerifier(broker.config, replayOf(broker), loadSaml, sessionsOf(broker), keyFetchesOf(broker));
  const endpoint = `${broker.config.broker.baseUrl}/token`;
  return router({ 'POST /token': tokenRoute(createTokenExchange({ config: broker.config, endpoint, verify, issue: issuerOf(broker), audit: broker.audit })) });
};

export const composeRolesRoutes = (broker: Broker, loadSaml: SamlSubjectLoader): RouteHandler => {
  const verify = createSubjectVerifier(broker.config, replayOf(broker), loadSaml, sessionsOf(broker), keyFetchesOf(broker));
  const endpoint = `${broker.config.broker.baseUrl}/roles`;
  return router({ 'POST /roles': rolesRoute(createRoleListing({ config: broker.config, endpoint, verify, audit: broker.audit })) });
};
