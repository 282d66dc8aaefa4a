// GET /: the landing page, one "Sign in with …" button per configured provider.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeLandingRoutes } from '../../shared/compose/landing.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'web' });

export const handler = brokerHandler('page', composeLandingRoutes(broker), broker);
