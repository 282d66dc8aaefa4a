// API Gateway HTTP API (payload format 2.0) events and Lambda contexts, as the services hand them to a function:
// one builder for the tests, the local server, the invoke runner, the bench and the sample events in events/.
// The event carries every field API Gateway sends (typed as the aws-lambda package has it, without a cast); the
// broker itself reads only the route key, path, query, headers, cookies, body and the request id and source address.

import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface HttpApiEventOptions {
  /** Default GET, or POST when there is a body. */
  readonly method?: string;
  /** The raw query string, without '?'. */
  readonly query?: string;
  /** Text, or the raw bytes of a request (kept byte for byte when base64-encoded). */
  readonly body?: string | Buffer;
  /** true (default): the body base64-encoded with isBase64Encoded, as HTTP APIs pass form posts; false: as is. */
  readonly base64?: boolean;
  /** Content-Type of the body (default application/x-www-form-urlencoded); null: none. Ignored with `headers`. */
  readonly contentType?: string | null;
  /** The request's headers as they are (replacing the defaults: host, user-agent, and content-type with a body). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cookie header values, one `name=value` each (HTTP APIs move them out of the headers). */
  readonly cookies?: readonly string[];
  readonly host?: string;
  /** The first label of the domain name, as API Gateway sets it (default: that of `host`). */
  readonly domainPrefix?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Default: a fresh random id per event. */
  readonly requestId?: string;
  /** The route API Gateway matched (default `${method} ${path}`). */
  readonly routeKey?: string;
  readonly protocol?: string;
  /** When API Gateway received the request (default: now). */
  readonly time?: Date;
  readonly accountId?: string;
  readonly apiId?: string;
  readonly stage?: string;
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
const DEFAULT_HOST = 'broker.example.com';
/** TEST-NET-3 (RFC 5737): never a real client. */
const DEFAULT_SOURCE_IP = '203.0.113.7';
const DEFAULT_USER_AGENT = 'federation-broker-tools';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.time` as API Gateway writes it: `22/Nov/2026:12:00:00 +0000`. */
export const apiGatewayTime = (date: Date): string =>
  `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;

/** API Gateway's `queryStringParameters`: repeated names joined with commas. */
const queryParameters = (query: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) out[key] = Object.hasOwn(out, key) ? `${out[key]},${value}` : value;
  return out;
};

const encodeBody = (body: string | Buffer, base64: boolean): string => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return base64 ? bytes.toString('base64') : typeof body === 'string' ? body : bytes.toString('utf8');
};

export const httpApiEvent = (path: string, options: HttpApiEventOptions = {}): APIGatewayProxyEventV2 => {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const routeKey = options.routeKey ?? `${method} ${path}`;
  const host = options.host ?? DEFAULT_HOST;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const query = options.query ?? '';
  const time = options.time ?? new Date();
  const contentType = options.contentType === undefined ? FORM_CONTENT_TYPE : options.contentType;
  const headers = options.headers ?? {
    ...(options.body !== undefined && contentType !== null ? { 'content-type': contentType } : {}),
    host,
    'user-agent': userAgent,
  };
  const base64 = options.base64 ?? true;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query,
    ...(options.cookies && options.cookies.length > 0 ? { cookies: [...options.cookies] } : {}),
    headers: { ...headers },
    ...(query === '' ? {} : { queryStringParameters: queryParameters(query) }),
    requestContext: {
      accountId: options.accountId ?? '000000000000',
      apiId: options.apiId ?? 'local',
      domainName: host,
      domainPrefix: options.domainPrefix ?? host.split('.')[0] ?? host,
      http: { method, path, protocol: options.protocol ?? 'HTTP/1.1', sourceIp: options.sourceIp ?? DEFAULT_SOURCE_IP, userAgent },
      requestId: options.requestId ?? `req-${randomBytes(6).toString('hex')}`,
      routeKey,
      stage: options.stage ?? '$default',
      time: apiGatewayTime(time),
      timeEpoch: time.getTime(),
    },
    ...(options.body === undefined ? {} : { body: encodeBody(options.body, base64) }),
    isBase64Encoded: options.body !== undefined && base64,
  };
};

export interface LambdaContextOptions {
  /** The function's name (its logical ID locally). */
  readonly functionName?: string;
  readonly requestId?: string;
  /** What getRemainingTimeInMillis answers (the template's Timeout is 15 s). */
  readonly remainingMs?: number;
  readonly logStreamName?: string;
}

/** The Lambda context a function receives with each invocation. */
export const lambdaContext = (options: LambdaContextOptions = {}): Context => {
  const functionName = options.functionName ?? 'LocalFunction';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.requestId ?? randomBytes(16).toString('hex'),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () => options.remainingMs ?? 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** `application/x-www-form-urlencoded` text of these fields. */
export const formBody = (fields: Readonly<Record<string, string>>): string => new URLSearchParams(fields).toString();

/** What the broker's HTTP functions answer (API Gateway's structured result, as they build it). */
export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly cookies?: string[];
}

/** A broker HTTP function's exported handler. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpApiResult>;
