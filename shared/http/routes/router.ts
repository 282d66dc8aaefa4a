// Path + method → the route that answers it. API Gateway invokes a function only for its own routes; an event for
// any other (a direct invoke, a misrouted integration) is NOT_FOUND rather than a guess.

import type { Context } from 'aws-lambda';
import { BrokerError } from '../../errors.ts';
import type { RouteHandler, HttpEvent } from '../handler.ts';
import type { HttpResult } from '../responses.ts';

/** `GET /saml/metadata`-style keys, as API Gateway writes `routeKey`. */
export type RouteTable = Readonly<Record<string, RouteHandler>>;

/** The route API Gateway matched (`routeKey`); for an event without one, its method and path. */
const routeKeyOf = (event: HttpEvent): string => {
  if (typeof event.routeKey === 'string' && event.routeKey !== '') return event.routeKey;
  return `${String(event.requestContext?.http?.method)} ${String(event.rawPath)}`;
};

export const router =
  (table: RouteTable): RouteHandler =>
  (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const key = routeKeyOf(event);
    const route = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!route) throw new BrokerError('NOT_FOUND', `no route for ${key.slice(0, 80)}`);
    return route(event, context);
  };
