// Response builders. Every response carries the security headers; nothing that leaves here is cacheable
// unless a route says so explicitly (JWKS, metadata).

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const text = (statusCode: number, body: string, contentType: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, 'content-type': contentType, ...headers },
  body,
});

export const redirect = (location: string, headers: Record<string, string> = {}, cookies: string[] = []): HttpResult => ({
  statusCode: 302,
  headers: { ...SECURITY_HEADERS, location, ...headers },
  ...(cookies.length > 0 ? { cookies } : {}),
  body: '',
});
