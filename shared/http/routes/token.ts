// POST /token and POST /roles: the RFC 8693 request decoded, the flow run, its outcome rendered as JSON.

import type { createRoleListing, createTokenExchange } from '../../flows/token-exchange.ts';
import { bodyParams, headerOnce, requestContextOf } from '../decode.ts';
import type { RouteHandler } from '../handler.ts';
import { json } from '../responses.ts';
import { decodeTokenRequest, exchangedDocument, roleListingDocument } from '../token-request.ts';

export const tokenRoute =
  (exchange: ReturnType<typeof createTokenExchange>, now: () => Date = () => new Date()): RouteHandler =>
  async (event, context) => {
    const exchanged = await exchange(decodeTokenRequest(bodyParams(event), { requireGrantType: true, proof: headerOnce(event, 'dpop') }), requestContextOf(event, context.awsRequestId));
    return json(200, exchangedDocument(exchanged, now()));
  };

export const rolesRoute =
  (listing: ReturnType<typeof createRoleListing>): RouteHandler =>
  async (event, context) =>
    json(200, roleListingDocument(await listing(decodeTokenRequest(bodyParams(event), { requireGrantType: false, proof: headerOnce(event, 'dpop') }), requestContextOf(event, context.awsRequestId))));
