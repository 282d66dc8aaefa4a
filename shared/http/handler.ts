// The one middy stack every HTTP function uses: Lambda context in the logs, tracing when on, errors rendered once, and
// a refused or failed request counted by its stable code (Refusals, Failures), the metrics flushed once per
// invocation. Handlers decode, call one flow in shared/, and encode; they never choose a status code for an error.

import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../audit/logger.ts';
import { NO_METRICS, type Metrics } from '../audit/metrics.ts';
import { BrokerError } from '../errors.ts';
import { errorResponse, toBrokerError, type Channel } from './error-response.ts';
import type { HttpResult } from './responses.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type RouteHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Never throws, whatever the event: the error path must work for malformed events too. */
export const requestIdOf = (event: unknown, context?: Context): string => {
  const id = isRecord(event) && isRecord(event.requestContext) ? event.requestContext.requestId : undefined;
  if (typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id)) return id;
  return typeof context?.awsRequestId === 'string' ? context.awsRequestId : 'unknown';
};

const stringsOnly = (v: unknown): boolean => v === undefined || v === null || (isRecord(v) && Object.values(v).every((x) => x === undefined || typeof x === 'string'));

/**
 * API Gateway (HTTP API v2) sends strings where strings belong; a direct invoke may send anything. An event
 * outside that shape is refused before any route reads it.
 */
export const checkEventShape = (event: unknown): void => {
  const ok =
    isRecord(event) &&
    (event.body === undefined || event.body === null || typeof event.body === 'string') &&
    (event.isBase64Encoded === undefined || typeof event.isBase64Encoded === 'boolean') &&
    (event.rawPath === undefined || typeof event.rawPath === 'string') &&
    (event.rawQueryString === undefined || typeof event.rawQueryString === 'string') &&
    (event.cookies === undefined || (Array.isArray(event.cookies) && event.cookies.every((c) => typeof c === 'string'))) &&
    stringsOnly(event.headers) &&
    stringsOnly(event.queryStringParameters) &&
    (event.requestContext === undefined || isRecord(event.requestContext));
  if (!ok) throw new BrokerError('INVALID_REQUEST', 'event outside the API Gateway HTTP API shape');
};

// No early-timeout timer (middy's default arms and clears one per request): every outbound call of the broker has
// its own short timeout and retry budget (shared/compose/aws.ts, issuance/retry.ts), far inside the Lambda
// timeout, so a request ends with its own 503 long before Lambda would stop it.
const MIDDY_PLUGIN = { timeoutEarlyInMillis: 0 } as const;

/** How a function's refusals are shown: one channel, or one per route (a function with pages and JSON endpoints). */
export type ChannelOf = Channel | ((event: HttpEvent) => Channel);

/** What the composed broker gives the stack: the function's metrics, and the tracing middleware when it is on. */
export interface Observability {
  readonly metrics: Metrics;
  readonly tracing?: MiddlewareObj | undefined;
}

export const brokerHandler = (channel: ChannelOf, route: RouteHandler, observe: Observability = { metrics: NO_METRICS }) => {
  const { metrics } = observe;
  const stack = middy<HttpEvent, HttpResult>(MIDDY_PLUGIN).use(injectLambdaContext(logger, { resetKeys: true }));
  if (observe.tracing) stack.use(observe.tracing);
  return stack
    .use({
      // Registered before the error renderer, so that it runs after it: the flush comes last on both paths.
      after: () => metrics.flush(),
      onError: () => metrics.flush(),
    })
    .use({ before: (request) => checkEventShape(request.event) })
    .use({
      onError: (request) => {
        const error = toBrokerError(request.error);
        const requestId = requestIdOf(request.event, request.context);
        if (error.status >= 500) logger.error('request failed', { code: error.code, requestId, error });
        else logger.warn('request refused', { code: error.code, requestId, reason: error.message });
        metrics.add(error.status >= 500 ? 'Failures' : 'Refusals', 1, { code: error.code });
        request.response = errorResponse(error, requestId, typeof channel === 'function' ? channel(request.event) : channel);
      },
    })
    .handler(route);
};
