// The session function's route: the role picker's POST /session, issuing through the shared browser sign-in flow.

import type { RouteHandler } from '../http/handler.ts';
import { sessionRoutes } from '../http/routes/session.ts';
import type { Broker } from './broker.ts';
import { browserSignInOf } from './services.ts';

export const composeSessionRoutes = (broker: Broker): RouteHandler => sessionRoutes({ signIn: browserSignInOf(broker), browser: broker.browserSettings });
