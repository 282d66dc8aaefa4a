// The local HTTP server: routes and handlers read from template.yaml, each request turned into an API Gateway
// HTTP API (payload v2) event and given to the function's exported handler in this process, as the
// HttpApi + Lambda pair would.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpApiEvent, lambdaContext as newLambdaContext } from '../lib/lambda-events.ts';
import { functionsOf, readTemplate, type FunctionDef } from '../lib/template.ts';
import { FEDERATION_PATH, handleFederation } from './console-emulator.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;

const ROOT = resolve(import.meta.dirname, '../..');
/**
 * API Gateway HTTP APIs accept payloads up to 10 MB and answer larger ones themselves (413, `{"message":"Request
 * Entity Too Large"}`); below that the function sees the body and answers its own 413 PAYLOAD_TOO_LARGE (over 256 KB).
 * The same here, so that local clients see what production clients see.
 */
const MAX_BODY = 10 * 1024 * 1024;

export const loadHandler = async (fn: FunctionDef): Promise<Handler> => {
  const mod = (await import(pathToFileURL(resolve(ROOT, fn.entry)).href)) as Record<string, unknown>;
  const handler = mod[fn.exportName];
  if (typeof handler !== 'function') throw new Error(`${fn.entry} does not export ${fn.exportName}`);
  return handler as Handler;
};

export const lambdaContext = (fn: FunctionDef, requestId: string): Context => newLambdaContext({ functionName: fn.logicalId, requestId });

const readBody = (req: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolvePromise(undefined);
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The HTTP API event of one request, as API Gateway would hand it to the function (tools/lib/lambda-events.ts). */
export const toEvent = (req: IncomingMessage, body: Buffer, routeKey: string, requestId: string): APIGatewayProxyEventV2 => {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined && key !== 'cookie') headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return httpApiEvent(url.pathname, {
    method: req.method ?? 'GET',
    routeKey,
    query: url.search.slice(1),
    headers,
    cookies: (req.headers.cookie ?? '').split(';').map((c) => c.trim()).filter(Boolean),
    host: req.headers.host ?? 'localhost',
    domainPrefix: 'local',
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    userAgent: req.headers['user-agent'] ?? '',
    protocol: `HTTP/${req.httpVersion}`,
    requestId,
    // HTTP APIs base64-encode bodies they do not know to be text; doing it always exercises that path.
    ...(body.length > 0 ? { body } : {}),
  });
};

const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined): void => {
  if (typeof result === 'string' || result === undefined) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(result ?? '');
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.writeHead(result.statusCode ?? 200, headers).end(body);
};

export interface BrokerServer {
  readonly url: string;
  readonly server: Server;
  stop(): Promise<void>;
}

/** Imports every handler first, so the server answers only once the whole broker is ready. */
export const startBrokerServer = async (options: { port?: number; host?: string; consoleEmulator?: boolean } = {}): Promise<BrokerServer> => {
  const functions = functionsOf(readTemplate());
  const routes = new Map<string, { fn: FunctionDef; handler: Handler }>();
  for (const fn of functions) {
    const handler = await loadHandler(fn);
    for (const route of fn.routes) routes.set(`${route.method} ${route.path}`, { fn, handler });
  }
  const server = createServer((req, res) => {
    void (async () => {
      const requestId = randomUUID();
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const routeKey = `${req.method ?? 'GET'} ${path}`;
      if (options.consoleEmulator && path === FEDERATION_PATH && req.method === 'GET') {
        handleFederation(req, res);
        return;
      }
      const route = routes.get(routeKey);
      if (!route) {
        const known = [...routes.keys()].some((k) => k.endsWith(` ${path}`));
        res.writeHead(known ? 405 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: known ? 'Method Not Allowed' : 'Not Found' }));
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Request Entity Too Large' }));
        return;
      }
      try {
        send(res, await route.handler(toEvent(req, body, routeKey, requestId), lambdaContext(route.fn, requestId)));
      } catch {
        // As API Gateway does when a function crashes: no detail to the client.
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal Server Error' }));
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
};
