// GET /saml/metadata, GET /saml/login, POST /saml/acs: the SAML service provider.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeSamlRoutes } from '../../shared/compose/saml.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'saml', entryUrl: import.meta.url });

export const handler = brokerHandler('page', composeSamlRoutes(broker), broker);
