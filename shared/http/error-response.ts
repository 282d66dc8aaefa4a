// The one place where errors become HTTP responses: JSON (RFC 6749 §5.2 shape) for APIs, an HTML page for
// browser flows. Clients get the stable code, a short description and the request id; never the message or cause.

import { BrokerError, ERROR_TABLE, RETRY_AFTER_SECONDS, type ErrorCode } from '../errors.ts';
import { escapeHtml } from './html.ts';
import { json, text, type HttpResult } from './responses.ts';

/**
 * How a refusal is shown: `api` — JSON (RFC 6749 §5.2) for POST /token and /roles; `cli` — the same JSON with the
 * OAuth error the CLI endpoints define (RFC 8628, RFC 9449: `invalid_dpop_proof`); `page` — an HTML page.
 */
export type Channel = 'api' | 'cli' | 'page';

export const toBrokerError = (error: unknown): BrokerError =>
  error instanceof BrokerError ? error : new BrokerError('INTERNAL', 'unexpected error', { cause: error });

export const statusOf = (code: ErrorCode, channel: Channel): number => {
  const entry: { status: number; pageStatus?: number } = ERROR_TABLE[code];
  return channel === 'page' ? (entry.pageStatus ?? entry.status) : entry.status;
};

export const errorResponse = (error: BrokerError, requestId: string, channel: Channel): HttpResult => {
  const entry = ERROR_TABLE[error.code];
  const status = statusOf(error.code, channel);
  const headers: Record<string, string> = status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  const description = error.publicDetail ? `${entry.description} ${error.publicDetail}` : entry.description;
  if (channel !== 'page') {
    const oauthError = channel === 'cli' && 'cliError' in entry ? entry.cliError : entry.error;
    return json(status, { error: oauthError, error_description: description, code: error.code, request_id: requestId }, headers);
  }
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in failed</title></head>
<body><main><h1>Sign-in failed</h1><p>${escapeHtml(description)}</p><dl><dt>Error code</dt><dd><code>${escapeHtml(error.code)}</code></dd><dt>Request id</dt><dd><code>${escapeHtml(requestId)}</code></dd></dl><p><a href="/">Start again</a></p></main></body></html>`;
  return text(status, page, 'text/html; charset=utf-8', headers);
};
