// The one middy stack of every HTTP function: an event outside the HTTP API shape is refused before any route
// reads it, and whatever a route throws is rendered once, by the error table, for the function's channel.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BrokerError } from '../../../shared/errors.ts';
import { brokerHandler, checkEventShape, requestIdOf, type RouteHandler } from '../../../shared/http/handler.ts';
import { json } from '../../../shared/http/responses.ts';
import { httpApiEvent, lambdaContext } from '../../../tools/lib/lambda-events.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';

let capture: Capture;
beforeAll(() => {
  capture = captureOutput();
});
afterAll(() => capture.restore());

const context = lambdaContext({ functionName: 'UnitFunction', requestId: 'lambda-req-1' });
const event = (overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 => ({ ...httpApiEvent('/token', { body: 'a=1', requestId: 'api-req-1' }), ...overrides });

const handlerOf = (channel: 'api' | 'page', route: RouteHandler) => brokerHandler(channel, route);
const throwing = (error: unknown): RouteHandler => async () => {
  throw error;
};

describe('brokerHandler', () => {
  it('answers what the route answers', async () => {
    const result = await handlerOf('api', async () => json(200, { ok: true }))(event(), context);
    expect(result).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  });

  it('renders a refusal as JSON on the api channel, with the request id of the event', async () => {
    const result = await handlerOf('api', throwing(new BrokerError('TOKEN_EXPIRED')))(event(), context);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ code: 'TOKEN_EXPIRED', request_id: 'api-req-1' });
  });

  it('renders a refusal as a page on the page channel, with its page status', async () => {
    const result = await handlerOf('page', throwing(new BrokerError('DENIED_BY_RULE')))(event(), context);
    expect(result.statusCode).toBe(403);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain('<code>DENIED_BY_RULE</code>');
  });

  it('answers 503 with Retry-After for a dependency that cannot be reached', async () => {
    const result = await handlerOf('api', throwing(new BrokerError('REPLAY_STORE_UNAVAILABLE')))(event(), context);
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('answers an unexpected failure with 500 INTERNAL: the message and cause go to the log only', async () => {
    const before = capture.text().length;
    const failure = new Error('connection string postgres://admin:hunter2@db', { cause: new Error('inner-cause-detail') });
    const result = await handlerOf('api', throwing(failure))(event(), context);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ code: 'INTERNAL', error: 'server_error' });
    expect(result.body).not.toMatch(/hunter2|postgres|inner-cause-detail/);
    expect(capture.text().slice(before)).toContain('request failed');
  });

  it('takes the Lambda request id when the event carries none it trusts', async () => {
    const odd = event({ requestContext: { ...event().requestContext, requestId: 'id with spaces <x>' } });
    const result = await handlerOf('api', throwing(new BrokerError('INVALID_REQUEST')))(odd, context);
    expect(JSON.parse(result.body ?? '').request_id).toBe('lambda-req-1');
  });

  it.each([
    ['a body that is not a string', { body: 42 }],
    ['isBase64Encoded that is not a boolean', { isBase64Encoded: 'true' }],
    ['a header that is not a string', { headers: { 'content-type': ['a', 'b'] } }],
    ['cookies that are not strings', { cookies: [{ name: 'x' }] }],
    ['cookies that are not a list', { cookies: 'a=1' }],
    ['a query parameter that is not a string', { queryStringParameters: { a: 1 } }],
    ['a raw path that is not a string', { rawPath: ['/token'] }],
    ['a request context that is not an object', { requestContext: 'ctx' }],
  ])('refuses an event with %s as INVALID_REQUEST before the route runs', async (_name, overrides) => {
    let ran = false;
    const route: RouteHandler = async () => {
      ran = true;
      return json(200, {});
    };
    const result = await handlerOf('api', route)({ ...event(), ...overrides } as unknown as APIGatewayProxyEventV2, context);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').code).toBe('INVALID_REQUEST');
    expect(ran).toBe(false);
  });
});

describe('checkEventShape', () => {
  it('accepts an HTTP API event, and one with only the fields a direct invoke may send', () => {
    expect(() => checkEventShape(httpApiEvent('/token', { body: 'a=1', cookies: ['a=1'], query: 'x=1' }))).not.toThrow();
    expect(() => checkEventShape({})).not.toThrow();
  });

  it.each([['null', null], ['a string', 'event'], ['an array', []]])('refuses %s', (_name, value) => {
    expect(() => checkEventShape(value)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('requestIdOf', () => {
  it.each([
    ['null', null],
    ['a string', 'x'],
    ['a request context that is a string', { requestContext: 'x' }],
    ['a numeric id', { requestContext: { requestId: 7 } }],
    ['an id over 128 characters', { requestContext: { requestId: 'a'.repeat(129) } }],
    ['an id with a newline (log forging)', { requestContext: { requestId: 'a\nlevel=ERROR' } }],
  ])('never throws, and falls back to the Lambda request id, for %s', (_name, value) => {
    expect(requestIdOf(value, context)).toBe('lambda-req-1');
    expect(requestIdOf(value)).toBe('unknown');
  });

  it('reads the id API Gateway sets', () => {
    expect(requestIdOf(httpApiEvent('/', { requestId: 'Abc-1.2:3_x' }), context)).toBe('Abc-1.2:3_x');
  });
});
