// POST /token: RFC 8693 token exchange — a subject token in, credential_process-compatible credentials out.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'token' });

export const handler = brokerHandler('api', composeTokenRoutes(broker, modules.saml2), broker);
