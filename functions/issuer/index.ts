// GET /.well-known/openid-configuration and GET /.well-known/jwks.json: the broker's own OIDC issuer documents,
// which IAM and STS read to verify web-identity tokens.
import { composeIssuerDocuments } from '../../shared/compose/issuer.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const documents = await composeIssuerDocuments();

export const handler = brokerHandler('api', async (event) => documents(event.routeKey));
