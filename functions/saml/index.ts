// GET /saml/metadata, GET /saml/login, POST /saml/acs: the SAML service provider.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeSamlRoutes } from '../../shared/compose/saml.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'saml' });

export const handler = brokerHandler('page', composeSamlRoutes(broker), broker);
