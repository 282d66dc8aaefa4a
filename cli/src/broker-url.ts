// The broker's URL as the user gave it (--broker or FBROKER_URL), normalised once: it keys the cache and is the
// issuer the broker must name in its authorization responses (RFC 9207).

import { CliError, usageError } from './errors.ts';

export interface Broker {
  /** Origin and path, no trailing slash, no query or fragment: `https://broker.example.com` or `…/prod`. */
  readonly url: string;
  /** Plain http (loopback brokers only: development). */
  readonly insecure: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export const parseBrokerUrl = (raw: string | undefined): Broker => {
  if (raw === undefined || raw.trim() === '') throw usageError('no broker URL: pass --broker URL or set FBROKER_URL');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw usageError(`--broker: not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`--broker: must be an https:// URL, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') throw usageError('--broker: give the broker base URL without credentials, query or fragment');
  // A session token and AWS credentials in clear text over the network: only a broker on this machine may use http.
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new CliError('INSECURE_BROKER_URL', `refusing to talk to ${url.origin} over plain http: use https (http is for a broker on 127.0.0.1)`);
  }
  // Trailing slashes dropped (a loop: a `/\/+$/` replace is quadratic on a path of many slashes).
  let end = url.pathname.length;
  while (end > 0 && url.pathname[end - 1] === '/') end -= 1;
  const path = url.pathname.slice(0, end);
  return { url: `${url.origin}${path}`, insecure: url.protocol === 'http:' };
};

export const endpoint = (broker: Broker, path: string): string => `${broker.url}${path}`;
