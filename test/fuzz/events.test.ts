// Fuzzing event shapes through every handler: API Gateway v2 events with fields missing, null or odd (unknown
// routes, methods, paths; payload-v1 leftovers; random cookies, headers, bodies, base64 flags, source IPs).
// Every handler answers each within the time bound, never with a 5xx and never with credentials or a ticket; a
// success only on the routes that answer any request (landing page, issuer documents, metadata, login redirects).

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentType, formBody, jsonBody, nastyString } from '../support/fuzz-arbitraries.ts';
import { expectAnswered, probe, RUNS, useFuzzBroker } from '../support/fuzz-harness.ts';
import { carriesCredentials, type HandlerName } from '../support/security-broker.ts';

const { broker, rejections } = useFuzzBroker();

const PATHS = ['/', '/token', '/roles', '/session', '/saml/acs', '/saml/login', '/saml/metadata', '/oidc/login', '/oidc/callback', '/.well-known/openid-configuration', '/.well-known/jwks.json', '/nope', '', '//', '/token/../saml/acs', '/%2e%2e/', '/SAML/ACS'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', '', 'get'];
const COOKIES = ['__Host-fb_bid', '__Host-fb_oidc', '__Host-fb_saml', 'fb_bid', 'fb_oidc', 'fb_saml', '__proto__'];

/** Absent, null, or a value: the three ways a field arrives. */
const field = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: arb });

const path = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: nastyString(30) });
const query = fc.oneof(
  fc.constantFrom('provider=corp-oidc', 'provider=corp-saml', 'provider=corp-saml&role=readonly&target=cli', 'provider=__proto__', 'provider=corp-oidc&destination=https%3A%2F%2Fevil.example.com', 'code=x&state=y', 'error=access_denied&state=y'),
  formBody,
  nastyString(80),
);
const cookie = fc.oneof(
  fc.tuple(fc.constantFrom(...COOKIES), fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/), nastyString(30))).map(([name, value]) => `${name}=${value}`),
  nastyString(40),
);
const headers = fc
  .tuple(
    fc.dictionary(fc.oneof(fc.constantFrom('Content-Type', 'CONTENT-TYPE', 'cookie', 'host', 'x-forwarded-for', 'origin', 'content-length'), nastyString(10)), nastyString(40), { maxKeys: 5 }),
    contentType,
  )
  .map(([rest, type]) => (type === undefined ? rest : { ...rest, 'content-type': type }));
const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('', '999.1.1.1', '::ffff:203.0.113.7', '203.0.113.7, 10.0.0.1'), nastyString(20));

const requestContext = fc.record(
  {
    requestId: field(fc.oneof(fc.uuid(), nastyString(60))),
    routeKey: field(nastyString(20)),
    http: field(
      fc.record({ method: field(fc.constantFrom(...METHODS)), path: field(path), sourceIp: field(ip), userAgent: field(nastyString(40)), protocol: field(fc.constantFrom('HTTP/1.1', 'HTTP/2', '')) }, { requiredKeys: [] }),
    ),
    stage: field(fc.constantFrom('$default', 'prod')),
  },
  { requiredKeys: [] },
);

const eventArb: fc.Arbitrary<APIGatewayProxyEventV2> = fc
  .record(
    {
      version: field(fc.constantFrom('2.0', '1.0', '')),
      routeKey: field(fc.oneof(fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...PATHS)).map(([m, p]) => `${m} ${p}`), fc.constant('$default'), nastyString(30))),
      rawPath: field(path),
      rawQueryString: field(query),
      cookies: field(fc.array(cookie, { maxLength: 4 })),
      headers: field(headers),
      queryStringParameters: field(fc.dictionary(nastyString(10), nastyString(20), { maxKeys: 3 })),
      body: field(fc.oneof(formBody, jsonBody, nastyString(300), fc.base64String({ maxLength: 400 }))),
      isBase64Encoded: field(fc.boolean()),
      requestContext: field(requestContext),
      // payload v1 leftovers some proxies send
      httpMethod: field(fc.constantFrom(...METHODS)),
      path: field(path),
      multiValueHeaders: field(fc.dictionary(nastyString(10), fc.array(nastyString(10), { maxLength: 2 }), { maxKeys: 2 })),
    },
    { requiredKeys: [] },
  )
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as APIGatewayProxyEventV2);

/**
 * The route an event asks for, as the router reads it (shared/http/routes/router.ts): the route key API Gateway
 * matched, or for an event without one (a direct invoke) its method and path.
 */
const routeOf = (event: APIGatewayProxyEventV2): string =>
  typeof event.routeKey === 'string' && event.routeKey !== '' ? event.routeKey : `${String(event.requestContext?.http?.method)} ${String(event.rawPath)}`;

/** Routes that answer any request with a success: everything else must refuse a random event. */
const mayAnswerOk = (name: HandlerName, event: APIGatewayProxyEventV2): boolean => {
  const route = routeOf(event);
  switch (name) {
    case 'web':
      return true;
    case 'issuer':
      return route === 'GET /.well-known/openid-configuration' || route === 'GET /.well-known/jwks.json';
    case 'saml':
      return route === 'GET /saml/metadata' || route === 'GET /saml/login';
    case 'oidc':
      return route === 'GET /oidc/login';
    default:
      return false;
  }
};

const HANDLERS: HandlerName[] = ['token', 'roles', 'session', 'saml', 'oidc', 'web', 'issuer'];

describe('random event shapes through every handler', () => {
  it.each(HANDLERS)('%s answers every event within bounds, never 5xx, never credentials', async (name) => {
    await fc.assert(
      fc.asyncProperty(eventArb, async (event) => {
        const probed = await probe(broker.handlers[name], event);
        expectAnswered(probed);
        const { result } = probed;
        expect(carriesCredentials(result)).toBe(false);
        expect(result.body).not.toContain('name="ticket"');
        if (result.statusCode < 400) expect(mayAnswerOk(name, event), `${name} answered ${result.statusCode}`).toBe(true);
      }),
      { numRuns: RUNS.normal },
    );
  });

  it('issued nothing and left no unhandled rejection', () => {
    expect(broker.stsCalls()).toBe(0);
    expect(rejections.seen).toEqual([]);
  });
});

/**
 * Shapes API Gateway never sends (wrong types), which only a direct Lambda invoke or a misconfigured integration
 * can deliver. The error middleware is the last line: it must still answer with a 4xx, not fail or answer 500.
 */
describe('events outside the API Gateway v2 types (direct invoke)', () => {
  const rows: Array<[string, HandlerName, unknown]> = [
    ['a numeric requestContext.requestId on a page route', 'saml', { rawPath: '/saml/acs', requestContext: { requestId: 42 } }],
    ['a numeric body', 'token', { rawPath: '/token', headers: { 'content-type': 'application/json' }, body: 42 }],
    ['a numeric cookie entry', 'oidc', { rawPath: '/oidc/callback', cookies: [42] }],
    ['a null event', 'token', null],
  ];

  it.each(rows)('%s (%s) is refused with a 4xx', async (_name, handler, event) => {
    const probed = await probe(broker.handlers[handler], event as APIGatewayProxyEventV2).catch((error: unknown) => ({ error }));
    expect(probed, 'the handler rejected instead of answering').not.toHaveProperty('error');
    const { result } = probed as Awaited<ReturnType<typeof probe>>;
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
  });
});
