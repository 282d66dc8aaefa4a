// The SAML function's routes: SP metadata, SP-initiated login, the ACS — the providers' metadata parsed and the SP
// documents written once, here, at cold start.

import { createSamlSignIn, parseSamlFlow, type SamlFlowState } from '../flows/saml-sign-in.ts';
import { samlRoutes } from '../http/routes/saml.ts';
import type { RouteHandler } from '../http/handler.ts';
import { samlProvidersOf, spMetadataXml, spSettingsOf } from '../saml/index.ts';
import type { Broker } from './broker.ts';
import { browserSignInOf, cliSupportOf, replayOf } from './services.ts';

export const composeSamlRoutes = (broker: Broker): RouteHandler => {
  const { config } = broker;
  const providers = samlProvidersOf(config);
  const sp = spSettingsOf(config);
  const signIn = createSamlSignIn({
    baseUrl: config.broker.baseUrl,
    clockSkewSeconds: config.broker.clockSkewSeconds,
    maxAssertionAgeSeconds: config.broker.maxAssertionAgeSeconds,
    providers,
    sp,
    flows: broker.sealer<SamlFlowState>({ purpose: 'saml-flow', failCode: 'FLOW_INVALID', parse: parseSamlFlow }),
    replay: replayOf(broker),
    browser: browserSignInOf(broker),
    cli: cliSupportOf(broker),
  });
  return samlRoutes({ signIn, metadataXml: spMetadataXml(sp), browser: broker.browserSettings });
};
