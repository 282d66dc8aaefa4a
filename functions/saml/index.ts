// GET /saml/metadata, GET /saml/login, POST /saml/acs: the SAML service provider.
import { composeSamlRoutes } from '../../shared/compose/saml.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const route = await composeSamlRoutes();

export const handler = brokerHandler('page', async (event, context) => route(event, context.awsRequestId));
