// The AWS console federation endpoint, emulated for the local stack at /__local/federation (a route of the local
// server only, never of template.yaml): getSigninToken checks the session JSON and SessionDuration like AWS does,
// login shows a page that says where a real console would have opened.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FEDERATION_PATH = '/__local/federation';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const handleFederation = (req: IncomingMessage, res: ServerResponse): void => {
  const url = new URL(req.url ?? '/', 'http://local');
  const action = url.searchParams.get('Action');
  const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  if (action === 'getSigninToken') {
    let session: Record<string, unknown> = {};
    try {
      session = JSON.parse(url.searchParams.get('Session') ?? '') as Record<string, unknown>;
    } catch {
      return json(400, { message: 'Session is not JSON' });
    }
    if (!['sessionId', 'sessionKey', 'sessionToken'].every((k) => typeof session[k] === 'string' && session[k] !== '')) return json(400, { message: 'Session lacks credentials' });
    const duration = url.searchParams.get('SessionDuration');
    if (duration !== null && !(Number(duration) >= 900 && Number(duration) <= 43_200)) return json(400, { message: 'SessionDuration out of range' });
    return json(200, { SigninToken: `FAKE-LOCAL-SIGNIN-TOKEN-${randomBytes(24).toString('base64url')}` });
  }
  if (action === 'login') {
    const destination = url.searchParams.get('Destination') ?? '';
    const issuer = url.searchParams.get('Issuer') ?? '';
    const ok = (url.searchParams.get('SigninToken') ?? '').startsWith('FAKE-LOCAL-SIGNIN-TOKEN-');
    res
      .writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" })
      .end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>AWS console (local emulator)</title></head><body style="font-family:system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>AWS console (local emulator)</h1><p>${ok ? 'Signed in.' : 'Invalid sign-in token.'} A real deployment would now open:</p><p><code>${escape(destination)}</code></p><p>Issuer: <code>${escape(issuer)}</code></p><p><a href="/">Back to the broker</a></p></body></html>`,
      );
    return;
  }
  json(400, { message: 'unknown Action' });
};

export interface ConsoleEmulator {
  /** The federation endpoint (broker.signinUrl) of this emulator. */
  readonly signinUrl: string;
  /** The server's origin, for a proxy put in front of it. */
  readonly origin: string;
  stop(): Promise<void>;
}

/** The emulator on its own server on 127.0.0.1 (a free port), for brokers run without the local server. */
export const startConsoleEmulator = async (): Promise<ConsoleEmulator> => {
  const server = createServer(handleFederation);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    signinUrl: `${origin}/federation`,
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
