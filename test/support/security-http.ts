// HTTP API events and results for the in-process handlers: the event API Gateway (payload v2) would send, a cookie
// jar per browser, and readers for what a response shows (its stable code, a hidden field, credentials).

import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface HandlerResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly cookies?: string[];
}
export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HandlerResult>;
export type HandlerName = 'token' | 'roles' | 'saml' | 'oidc' | 'session' | 'web' | 'issuer' | 'cli';

export const lambdaContext = { awsRequestId: 'lambda-req', functionName: 'SecurityUnderTest', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export interface EventOptions {
  readonly method?: 'GET' | 'POST';
  readonly query?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly cookies?: readonly string[];
  readonly base64?: boolean;
  readonly sourceIp?: string;
  /** More request headers (e.g. `dpop`), as API Gateway delivers them: lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An API Gateway HTTP API (payload v2) event as the service sends it. */
export const httpEvent = (path: string, options: EventOptions = {}): APIGatewayProxyEventV2 => {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const base64 = options.base64 ?? true;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: {
      host: 'broker.example.com',
      ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' }),
      ...options.headers,
    },
    ...(options.cookies && options.cookies.length > 0 ? { cookies: [...options.cookies] } : {}),
    requestContext: {
      accountId: '111122223333',
      apiId: 'api',
      domainName: 'broker.example.com',
      domainPrefix: 'broker',
      requestId: `req-${randomBytes(6).toString('hex')}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '203.0.113.7', userAgent: 'security-suite' },
    },
    ...(options.body === undefined ? {} : { body: base64 ? Buffer.from(options.body).toString('base64') : options.body, isBase64Encoded: base64 }),
  } as APIGatewayProxyEventV2;
};

export const form = (fields: Readonly<Record<string, string>>): string => new URLSearchParams(fields as Record<string, string>).toString();

/** A cookie jar for one browser: Set-Cookie lines of handler results in, `cookies` of the next event out. */
export class Browser {
  readonly jar = new Map<string, string>();

  store(result: { cookies?: string[] | undefined }): void {
    for (const line of result.cookies ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const cleared = attributes.some((a) => /^max-age=0$/i.test(a));
      if (cleared || pair.slice(eq + 1) === '') this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1));
    }
  }

  cookies(): string[] {
    return [...this.jar].map(([name, value]) => `${name}=${value}`);
  }

  async call(handler: Handler, path: string, options: EventOptions = {}): Promise<HandlerResult> {
    const result = await handler(httpEvent(path, { ...options, cookies: [...this.cookies(), ...(options.cookies ?? [])] }), lambdaContext);
    this.store(result);
    return result;
  }
}

/** The stable code on an HTML error page or in a JSON error body. */
export const codeOf = (result: HandlerResult): string | undefined => {
  const page = /<dt>Error code<\/dt><dd><code>([A-Z_]+)<\/code>/.exec(result.body)?.[1];
  if (page) return page;
  try {
    return (JSON.parse(result.body) as { code?: string }).code;
  } catch {
    return undefined;
  }
};

/** The value of a hidden field of a server-rendered form (HTML-unescaped). */
export const hiddenField = (html: string, name: string): string | undefined => {
  const raw = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return raw?.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');
};

/** True when a response carries credentials in any form: JSON document, CLI page, console sign-in redirect. */
export const carriesCredentials = (result: HandlerResult): boolean =>
  /ASIA[A-Z0-9]{8,}|AccessKeyId|AWS_ACCESS_KEY_ID|aws_session_token|SigninToken/.test(result.body) || /SigninToken=/.test(result.headers.location ?? '');
