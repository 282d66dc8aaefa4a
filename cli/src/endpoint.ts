// The container-credentials endpoint (what AWS SDKs and the AWS CLI read through
// AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN): 127.0.0.1 only, a random path, a random
// token compared in constant time, the Host header checked, GET only. Credentials are kept in memory and renewed
// when less than 5 minutes are left, one renewal at a time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsCredentials } from './cache.ts';
import { isFresh } from './credentials.ts';
import { CliError } from './errors.ts';

export interface EndpointOptions {
  /** Fresh credentials (the cache, or an exchange): called when there are none in memory or they are near expiry. */
  readonly source: () => Promise<AwsCredentials>;
  readonly port?: number;
  readonly now: () => number;
  /** Told about a failed renewal (the code only: never the credentials). */
  readonly onError?: (error: unknown) => void;
}

export interface RunningEndpoint {
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  readonly url: string;
  /** AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  readonly token: string;
  readonly port: number;
  readonly close: () => Promise<void>;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison of the Authorization header with the token (hashes make the lengths equal). */
const tokenMatches = (header: string | undefined, token: string): boolean => header !== undefined && timingSafeEqual(digest(header), digest(token));

/** DNS rebinding (aws-vault #578): a web page's request to evil.example that resolves to 127.0.0.1 carries its own Host. */
const hostAllowed = (host: string | undefined, port: number): boolean =>
  host !== undefined && [`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`].includes(host.toLowerCase());

const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
};

export const startCredentialsEndpoint = async (options: EndpointOptions): Promise<RunningEndpoint> => {
  const token = randomBytes(32).toString('base64url');
  const path = `/${randomBytes(16).toString('base64url')}`;
  let current: AwsCredentials | undefined;
  let renewing: Promise<AwsCredentials> | undefined;
  const credentials = async (): Promise<AwsCredentials> => {
    if (current !== undefined && isFresh(current, options.now())) return current;
    renewing ??= options.source().finally(() => {
      renewing = undefined;
    });
    current = await renewing;
    return current;
  };
  let port = 0;
  const { createServer } = await import('node:http');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, port)) return answer(res, 403, { code: 'FORBIDDEN_HOST', message: 'Host must be 127.0.0.1, [::1] or localhost with this port' });
    if (!tokenMatches(req.headers.authorization, token)) return answer(res, 401, { code: 'UNAUTHORIZED', message: 'wrong or missing Authorization' });
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== path) return answer(res, 403, { code: 'FORBIDDEN_PATH', message: 'unknown path' });
    // GET only; anything else is refused like every other wrong request: 403, never a credential.
    if (req.method !== 'GET') return answer(res, 403, { code: 'FORBIDDEN_METHOD', message: 'GET only' }, { allow: 'GET' });
    credentials().then(
      (c) => answer(res, 200, { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, Expiration: c.Expiration }),
      (error: unknown) => {
        options.onError?.(error);
        answer(res, 503, { code: error instanceof CliError ? error.code : 'INTERNAL', message: 'fbroker could not get credentials; see its output' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES' ? new CliError('PORT_IN_USE', `cannot listen on 127.0.0.1:${options.port} (${error.code}); choose another --port or leave it out`) : error),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
