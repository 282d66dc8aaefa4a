// The one middy stack every HTTP function uses: Lambda context in the logs, then errors rendered once.
// Handlers decode, call one flow in shared/, and encode; they never choose a status code for an error.

import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../audit/logger.ts';
import { errorResponse, toBrokerError, type Channel } from './error-response.ts';
import type { HttpResult } from './responses.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type RouteHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export const requestIdOf = (event: HttpEvent, context?: Context): string =>
  event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';

export const brokerHandler = (channel: Channel, route: RouteHandler) =>
  middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: (request) => {
        const error = toBrokerError(request.error);
        const requestId = requestIdOf(request.event, request.context);
        if (error.status >= 500) logger.error('request failed', { code: error.code, requestId, error });
        else logger.warn('request refused', { code: error.code, requestId, reason: error.message });
        request.response = errorResponse(error, requestId, channel);
      },
    })
    .handler(route);
