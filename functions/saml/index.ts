// GET /saml/metadata, GET /saml/login, POST /saml/acs: the SAML service provider.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeSamlRoutes } from '../../shared/compose/saml.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

export const handler = brokerHandler('page', composeSamlRoutes(await composeFromEnvironment()));
