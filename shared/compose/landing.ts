// The web function's route: the landing page (no AWS client, no protocol code).

import type { RouteHandler } from '../http/handler.ts';
import { landingRoutes } from '../http/routes/landing.ts';
import type { Broker } from './broker.ts';

export const composeLandingRoutes = (broker: Broker): RouteHandler => landingRoutes(broker.config);
