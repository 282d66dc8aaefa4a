// The one event and context builder: the event has the HTTP API payload 2.0 shape the broker's handlers check, and
// carries a body, query and cookies as API Gateway does.

import { describe, expect, it } from 'vitest';
import { checkEventShape } from '../../../shared/http/handler.ts';
import { bodyParams, queryParams, requestContextOf } from '../../../shared/http/decode.ts';
import { readCookie } from '../../../shared/http/cookies.ts';
import { apiGatewayTime, formBody, httpApiEvent, lambdaContext } from '../../../tools/lib/lambda-events.ts';

describe('httpApiEvent', () => {
  it('is a GET without a body, POST with one; its route key is method and path', () => {
    expect(httpApiEvent('/saml/metadata')).toMatchObject({ routeKey: 'GET /saml/metadata', rawPath: '/saml/metadata', isBase64Encoded: false });
    expect(httpApiEvent('/token', { body: 'a=1' })).toMatchObject({ routeKey: 'POST /token', requestContext: { http: { method: 'POST', path: '/token' } } });
  });

  it('passes the handlers’ shape check', () => {
    expect(() => checkEventShape(httpApiEvent('/session', { body: 'a=1', query: 'x=1', cookies: ['a=b'] }))).not.toThrow();
  });

  it('base64-encodes a body by default, byte for byte, and reads back as the form it was', () => {
    const bytes = Buffer.from([0x61, 0x3d, 0xe9, 0xff]);
    expect(Buffer.from(httpApiEvent('/x', { body: bytes }).body ?? '', 'base64')).toEqual(bytes);
    const event = httpApiEvent('/token', { body: formBody({ grant_type: 'x y', a: 'é' }) });
    expect(event.isBase64Encoded).toBe(true);
    expect(Object.fromEntries(bodyParams(event))).toEqual({ grant_type: 'x y', a: 'é' });
  });

  it('keeps a text body as is with base64 false', () => {
    expect(httpApiEvent('/token', { body: 'a=1', base64: false })).toMatchObject({ body: 'a=1', isBase64Encoded: false });
  });

  it('sets content-type with a body (none with null), and takes given headers as they are', () => {
    expect(httpApiEvent('/token', { body: '{}', contentType: 'application/json' }).headers['content-type']).toBe('application/json');
    expect(httpApiEvent('/token', { body: 'a=1', contentType: null }).headers).not.toHaveProperty('content-type');
    expect(httpApiEvent('/token', { body: 'a=1', headers: { 'Content-Type': 'text/plain' } }).headers).toEqual({ 'Content-Type': 'text/plain' });
  });

  it('carries the query raw and as API Gateway’s parameters (repeats joined by commas)', () => {
    const event = httpApiEvent('/oidc/login', { query: 'provider=a&x=1&x=2' });
    expect(event.rawQueryString).toBe('provider=a&x=1&x=2');
    expect(event.queryStringParameters).toEqual({ provider: 'a', x: '1,2' });
    expect(queryParams(httpApiEvent('/oidc/login', { query: 'provider=a' })).get('provider')).toBe('a');
  });

  it('carries cookies in their own list, as HTTP APIs do', () => {
    const event = httpApiEvent('/session', { cookies: ['__Host-fb_bid=v'] });
    expect(event.cookies).toEqual(['__Host-fb_bid=v']);
    expect(readCookie(event, 'fb_bid', true)).toBe('v');
  });

  it('names the request (id, source address, user agent) as the broker reads it', () => {
    expect(requestContextOf(httpApiEvent('/', { requestId: 'req-1', sourceIp: '198.51.100.1', userAgent: 'ua' }), 'fallback')).toEqual({ requestId: 'req-1', sourceIp: '198.51.100.1', userAgent: 'ua' });
  });

  it('writes the receive time as API Gateway does', () => {
    const time = new Date('2026-11-22T09:05:07Z');
    expect(apiGatewayTime(time)).toBe('22/Nov/2026:09:05:07 +0000');
    expect(httpApiEvent('/', { time }).requestContext).toMatchObject({ time: '22/Nov/2026:09:05:07 +0000', timeEpoch: time.getTime() });
  });
});

describe('lambdaContext', () => {
  it('names the function and request, and answers the remaining time asked for', () => {
    const context = lambdaContext({ functionName: 'TokenFunction', requestId: 'r-1', remainingMs: 1234 });
    expect(context).toMatchObject({ functionName: 'TokenFunction', awsRequestId: 'r-1', logGroupName: '/aws/lambda/TokenFunction' });
    expect(context.getRemainingTimeInMillis()).toBe(1234);
  });
});
