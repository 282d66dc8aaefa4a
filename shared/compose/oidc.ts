// The OIDC function's routes: browser sign-in through the authorization code flow, the ID token verified by the same
// verifier POST /token uses.

import { createOidcSignIn, parseOidcFlow, type OidcFlowState } from '../flows/oidc-sign-in.ts';
import type { RouteHandler } from '../http/handler.ts';
import { oidcRoutes } from '../http/routes/oidc.ts';
import { createOidcVerifier } from '../oidc/index.ts';
import { createOidcCodeFlow } from '../oidc/login.ts';
import type { Broker } from './broker.ts';
import { browserSignInOf, cliSupportOf, keyFetchesOf, replayOf } from './services.ts';

export const composeOidcRoutes = (broker: Broker): RouteHandler => {
  const { config } = broker;
  const codeFlow = createOidcCodeFlow({ config, verifier: createOidcVerifier(config, { replay: replayOf(broker), onKeyFetch: keyFetchesOf(broker) }) });
  const signIn = createOidcSignIn({
    codeFlow,
    flows: broker.sealer<OidcFlowState>({ purpose: 'oidc-flow', failCode: 'FLOW_INVALID', parse: parseOidcFlow }),
    replay: replayOf(broker),
    browser: browserSignInOf(broker),
    cli: cliSupportOf(broker),
  });
  return oidcRoutes({ signIn, browser: broker.browserSettings });
};
