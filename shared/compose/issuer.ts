// The issuer function's routes: the broker's own OIDC discovery document and JWKS (current and previous key).

import type { RouteHandler } from '../http/handler.ts';
import { issuerRoutes } from '../http/routes/issuer.ts';
import type { Broker } from './broker.ts';
import { signingKeysOf } from './services.ts';

export const composeIssuerRoutes = (broker: Broker): RouteHandler => issuerRoutes({ baseUrl: broker.config.broker.baseUrl, keys: signingKeysOf(broker).published });
