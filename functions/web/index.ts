// GET /: the landing page, one "Sign in with …" button per configured provider.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeLandingRoutes } from '../../shared/compose/landing.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'web', entryUrl: import.meta.url });

export const handler = brokerHandler('page', composeLandingRoutes(broker), broker);
