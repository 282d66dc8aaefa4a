// Decoding API Gateway (HTTP API, payload v2) events into plain values, with size limits and strict parsing.
// Anything malformed is a 4xx with a stable code; nothing here trusts a header it does not need.

import { BrokerError } from '../errors.ts';
import { readJsonObject } from '../json/strict.ts';
import type { Context } from 'aws-lambda';
import type { RequestContext } from '../request.ts';
import { requestIdOf, type HttpEvent } from './handler.ts';

/** Largest body accepted (SAML responses posted as subject tokens are the biggest legitimate input). */
export const MAX_BODY_BYTES = 256 * 1024;

export const header = (event: HttpEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/**
 * A header that must appear once, as API Gateway delivers it: several values (joined by commas, or sent under two
 * spellings of the name by a direct invoke) come back joined by commas, for the caller to refuse.
 */
export const headerOnce = (event: HttpEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  const values = Object.entries(event.headers ?? {}).filter(([key, value]) => key.toLowerCase() === wanted && value !== undefined).map(([, value]) => value as string);
  return values.length === 0 ? undefined : values.join(',');
};

export const rawBody = (event: HttpEvent): string => {
  const body = event.body ?? '';
  // Checked before decoding, so a huge body costs nothing.
  if (body.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES)) {
    throw new BrokerError('PAYLOAD_TOO_LARGE', 'request body over the limit');
  }
  const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new BrokerError('PAYLOAD_TOO_LARGE', 'request body over the limit');
  return text;
};

export type Params = ReadonlyMap<string, string>;

const mediaType = (event: HttpEvent): string => (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** Form or JSON body → one string per parameter. A repeated parameter is refused (RFC 6749 §3.1). */
export const bodyParams = (event: HttpEvent, options: { json: boolean } = { json: true }): Params => {
  const type = mediaType(event);
  const text = rawBody(event);
  if (type === 'application/x-www-form-urlencoded') return formParams(text);
  if (options.json && type === 'application/json') return jsonParams(text);
  throw new BrokerError('UNSUPPORTED_MEDIA_TYPE', `content type ${type || '(none)'}`);
};

export const formParams = (text: string): Params => {
  const out = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (out.has(key)) throw new BrokerError('INVALID_REQUEST', `parameter ${key} repeated`, { publicDetail: `Parameter ${safeName(key)} is repeated.` });
    out.set(key, value);
  }
  return out;
};

const JSON_REFUSALS = {
  syntax: 'The body is not valid JSON.',
  'not-an-object': 'The JSON body must be an object.',
  // As for form parameters (RFC 6749 §3.1): `{"audience":"a","audience":"b"}` must not mean whichever one a parser keeps.
  'repeated-member': 'A parameter is repeated.',
  'too-deep': 'The JSON body is nested too deeply.',
} as const;

const jsonParams = (text: string): Params => {
  const read = readJsonObject(text);
  if ('error' in read) throw new BrokerError('INVALID_REQUEST', `JSON body refused: ${read.error}`, { publicDetail: JSON_REFUSALS[read.error] });
  const parsed = read.value;
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') out.set(key, value);
    else if (typeof value === 'number' && Number.isInteger(value)) out.set(key, String(value));
    else throw new BrokerError('INVALID_REQUEST', `parameter ${key} is not a string`, { publicDetail: `Parameter ${safeName(key)} must be a string.` });
  }
  return out;
};

export const queryParams = (event: HttpEvent): Params => formParams(event.rawQueryString ?? '');

/** Parameter names echoed to clients are cut and reduced to harmless characters. */
const safeName = (name: string): string => name.replace(/[^\w.:-]/g, '?').slice(0, 40);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const requestContextOf = (event: HttpEvent, fallbackId: string): RequestContext => ({
  requestId: requestIdOf(event, { awsRequestId: fallbackId } as Context),
  sourceIp: str(event.requestContext?.http?.sourceIp),
  userAgent: str(event.requestContext?.http?.userAgent),
});
