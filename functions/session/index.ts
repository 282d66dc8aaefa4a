// POST /session: the role picker's form → console sign-in redirect or the CLI credentials page.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeSessionRoutes } from '../../shared/compose/session.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'session' });

export const handler = brokerHandler('page', composeSessionRoutes(broker), broker);
