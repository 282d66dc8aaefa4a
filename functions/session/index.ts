// POST /session: the role picker's form → console sign-in redirect or the CLI credentials page.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeSessionRoutes } from '../../shared/compose/session.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'session', entryUrl: import.meta.url });

export const handler = brokerHandler('page', composeSessionRoutes(broker), broker);
