// POST /roles: the roles a subject token may assume.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeRolesRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'roles' });

export const handler = brokerHandler('api', composeRolesRoutes(broker, modules.saml2), broker);
