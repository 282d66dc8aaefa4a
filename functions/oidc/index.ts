// GET /oidc/login and GET /oidc/callback: OIDC browser sign-in, then the role picker.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeOidcRoutes } from '../../shared/compose/oidc.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'oidc' });

export const handler = brokerHandler('page', composeOidcRoutes(broker), broker);
