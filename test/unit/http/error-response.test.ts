// Errors become responses in one place: JSON (RFC 6749 §5.2 shape) for APIs, an HTML page for browser flows, each
// with the stable code, the table's description and the request id — never the message or the cause.

import { describe, expect, it } from 'vitest';
import { BrokerError, ERROR_TABLE, isErrorCode, RETRY_AFTER_SECONDS, type ErrorCode } from '../../../shared/errors.ts';
import { errorResponse, statusOf, toBrokerError } from '../../../shared/http/error-response.ts';

const CODES = Object.keys(ERROR_TABLE).filter(isErrorCode);
const codeOnPage = (html: string): string | undefined => /<dt>Error code<\/dt><dd><code>([A-Z_]+)<\/code>/.exec(html)?.[1];

describe('errorResponse, api channel', () => {
  it('answers the RFC 6749 error shape with the stable code and the request id', () => {
    const result = errorResponse(new BrokerError('AUDIENCE_MISMATCH', 'aud was mobile-app, expected broker'), 'req-1', 'api');
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(result.body ?? '')).toEqual({ error: 'invalid_request', error_description: ERROR_TABLE.AUDIENCE_MISMATCH.description, code: 'AUDIENCE_MISMATCH', request_id: 'req-1' });
  });

  it('appends the public detail to the description, and only that', () => {
    const result = errorResponse(new BrokerError('ROLE_REQUIRED', 'internal: 2 roles', { publicDetail: 'Granted: a, b.' }), 'req-2', 'api');
    expect(JSON.parse(result.body ?? '').error_description).toBe(`${ERROR_TABLE.ROLE_REQUIRED.description} Granted: a, b.`);
    expect(result.body).not.toContain('internal: 2 roles');
  });

  it.each(CODES.map((code) => [code] as const))('%s: the table’s status, and Retry-After exactly on 503', (code: ErrorCode) => {
    const result = errorResponse(new BrokerError(code), 'req', 'api');
    expect(result.statusCode).toBe(ERROR_TABLE[code].status);
    expect(result.headers['retry-after']).toBe(result.statusCode === 503 ? String(RETRY_AFTER_SECONDS) : undefined);
    expect(result.headers['cache-control']).toBe('no-store');
  });
});

describe('errorResponse, page channel', () => {
  it('renders an HTML page with the code and the request id, escaped', () => {
    const result = errorResponse(new BrokerError('FLOW_INVALID'), 'req-<3>', 'page');
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
    expect(codeOnPage(result.body ?? '')).toBe('FLOW_INVALID');
    expect(result.body).toContain('req-&lt;3&gt;');
    expect(result.body).not.toContain('req-<3>');
  });

  it.each(CODES.map((code) => [code] as const))('%s: the page status where the table has one, else the API status', (code: ErrorCode) => {
    const entry: { status: number; pageStatus?: number } = ERROR_TABLE[code];
    const result = errorResponse(new BrokerError(code), 'req', 'page');
    expect(result.statusCode).toBe(entry.pageStatus ?? entry.status);
    expect(statusOf(code, 'page')).toBe(result.statusCode);
    expect(statusOf(code, 'api')).toBe(entry.status);
    expect(result.headers['retry-after']).toBe(result.statusCode === 503 ? String(RETRY_AFTER_SECONDS) : undefined);
  });

  it('shows a refusal by the rules as 403 on a page and 400 to an API', () => {
    expect(errorResponse(new BrokerError('NO_ROLE_GRANTED'), 'r', 'page').statusCode).toBe(403);
    expect(errorResponse(new BrokerError('NO_ROLE_GRANTED'), 'r', 'api').statusCode).toBe(400);
  });
});

describe('toBrokerError', () => {
  it('keeps a BrokerError as it is', () => {
    const error = new BrokerError('TOKEN_EXPIRED');
    expect(toBrokerError(error)).toBe(error);
  });

  it('turns anything else into INTERNAL, keeping the original as the cause (for the logs)', () => {
    const original = new TypeError('cannot read properties of undefined (reading "secret")');
    const wrapped = toBrokerError(original);
    expect(wrapped).toMatchObject({ code: 'INTERNAL', cause: original });
  });

  it.each([
    ['an Error', new Error('db password is hunter2')],
    ['a thrown string', 'db password is hunter2'],
    ['an object', { message: 'db password is hunter2', stack: 'at hunter2' }],
  ])('never lets the message or cause of %s reach the response of either channel', (_name, thrown) => {
    for (const channel of ['api', 'page'] as const) {
      const result = errorResponse(toBrokerError(thrown), 'req', channel);
      expect(result.statusCode).toBe(500);
      expect(result.body).not.toMatch(/hunter2|password|stack/);
      expect(channel === 'api' ? JSON.parse(result.body ?? '').code : codeOnPage(result.body ?? '')).toBe('INTERNAL');
    }
  });
});
