// One bounded GET for the IdP's documents (discovery, JWKS): a timeout, a size cap, no redirects. Any failure is
// IDP_UNAVAILABLE (503 with Retry-After), with the original error as `cause`.

import { BrokerError } from '../errors.ts';
import { isSecureOrLoopbackUrl } from '../patterns.ts';

export type Fetch = typeof globalThis.fetch;

export interface HttpOptions {
  readonly fetch: Fetch;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_HTTP: Omit<HttpOptions, 'fetch'> = { timeoutMs: 3000, maxBytes: 512 * 1024 };

const unavailable = (url: URL, why: string, cause?: unknown): BrokerError =>
  new BrokerError('IDP_UNAVAILABLE', `${url.origin}${url.pathname}: ${why}`, cause === undefined ? undefined : { cause });

/** https, or http on a loopback host for development and tests. */
export const isAllowedUrl = isSecureOrLoopbackUrl;

const readCapped = async (response: Response, url: URL, maxBytes: number): Promise<string> => {
  // Stops a hostile or broken endpoint from filling the Lambda's memory.
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw unavailable(url, `response larger than ${maxBytes} bytes`);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw unavailable(url, `response larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

export const fetchJson = async (url: URL, http: HttpOptions): Promise<Record<string, unknown>> => {
  let text: string;
  try {
    // Stops a slow IdP from holding the request (and the Lambda) until its own timeout; redirects are not followed.
    const response = await http.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(http.timeoutMs), headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(url, `HTTP ${response.status}`);
    }
    text = await readCapped(response, url, http.maxBytes);
  } catch (error) {
    throw error instanceof BrokerError ? error : unavailable(url, 'request failed', error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw unavailable(url, 'not JSON', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unavailable(url, 'not a JSON object');
  return value as Record<string, unknown>;
};
