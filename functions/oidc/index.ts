// GET /oidc/login and GET /oidc/callback: OIDC browser sign-in, then the role picker.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeOidcRoutes } from '../../shared/compose/oidc.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'oidc', entryUrl: import.meta.url });

export const handler = brokerHandler('page', composeOidcRoutes(broker), broker);
