// HTTP API events and results for the in-process handlers: the event API Gateway (payload v2) would send, a cookie
// jar per browser, and readers for what a response shows (its stable code, a hidden field, credentials).

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formBody, httpApiEvent, lambdaContext as newLambdaContext, type HttpApiHandler, type HttpApiResult } from '../../tools/lib/lambda-events.ts';

export type HandlerResult = HttpApiResult;
export type Handler = HttpApiHandler;
export type HandlerName = 'token' | 'roles' | 'saml' | 'oidc' | 'session' | 'web' | 'issuer' | 'cli';

export const lambdaContext = newLambdaContext({ functionName: 'SecurityUnderTest', requestId: 'lambda-req', remainingMs: 10_000 });

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

/** An API Gateway HTTP API (payload v2) event as the service sends it (tools/lib/lambda-events.ts). */
export const httpEvent = (path: string, options: EventOptions = {}): APIGatewayProxyEventV2 => {
  const host = 'broker.example.com';
  // Extra headers (dpop) join what API Gateway always sends: host, user-agent, and the body's content-type.
  const headers = options.headers && {
    host,
    'user-agent': 'security-suite',
    ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' }),
    ...options.headers,
  };
  return httpApiEvent(path, { ...options, headers, host, userAgent: 'security-suite', accountId: '111122223333', apiId: 'api' });
};

export const form = formBody;

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
