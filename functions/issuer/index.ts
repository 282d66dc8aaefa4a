// GET /.well-known/openid-configuration and GET /.well-known/jwks.json: the broker's own OIDC issuer documents,
// which IAM and STS read to verify web-identity tokens.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeIssuerRoutes } from '../../shared/compose/issuer.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'issuer' });

export const handler = brokerHandler('api', composeIssuerRoutes(broker), broker);
