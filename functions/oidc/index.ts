// GET /oidc/login and GET /oidc/callback: OIDC browser sign-in, then the role picker.
import { composeOidcRoutes } from '../../shared/compose/oidc-login.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const route = await composeOidcRoutes();

export const handler = brokerHandler('page', async (event, context) => route(event, context.awsRequestId));
