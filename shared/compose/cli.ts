// The CLI function's routes (docs/cli.md): the authorization and device endpoints, the token endpoint that makes
// broker sessions, the console and revocation endpoints. All NOT_FOUND without `broker.cli`.

import { authorize } from '../flows/cli-authorize.ts';
import { createCliConsole } from '../flows/cli-console.ts';
import { createDeviceFlow, parseConfirmToken, type ConfirmToken } from '../flows/cli-device.ts';
import { createCliToken } from '../flows/cli-token.ts';
import type { RouteHandler } from '../http/handler.ts';
import { cliDisabled, cliRoutes } from '../http/routes/cli.ts';
import { createConsoleFederation } from '../issuance/console.ts';
import type { Broker } from './broker.ts';
import { cliRequestSealer, cliStoreOf, codeSealer, deviceIdentitySealer, issuerOf, replayOf, sessionsOf } from './services.ts';

export const composeCliRoutes = (broker: Broker): RouteHandler => {
  const { config } = broker;
  const sessions = sessionsOf(broker);
  if (!sessions) return cliDisabled;
  const base = config.broker.baseUrl;
  const store = cliStoreOf(broker);
  return cliRoutes({
    authorize: (params) => authorize(config, params),
    device: createDeviceFlow({ config, store, confirmTokens: broker.sealer<ConfirmToken>({ purpose: 'cli-confirm', failCode: 'FLOW_INVALID', parse: parseConfirmToken }), audit: broker.audit }),
    token: createCliToken({
      endpoint: `${base}/cli/token`,
      codes: codeSealer(broker),
      deviceIdentities: deviceIdentitySealer(broker),
      sessions,
      store,
      replay: replayOf(broker),
      audit: broker.audit,
    }),
    console: createCliConsole({
      config,
      endpoint: `${base}/cli/console`,
      sessions,
      issue: issuerOf(broker),
      federation: broker.options.federation ?? createConsoleFederation(config.broker.signinUrl),
      audit: broker.audit,
    }),
    sessions,
    requests: cliRequestSealer(broker),
    browser: broker.browserSettings,
  });
};
