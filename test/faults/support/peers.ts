// Peers that fail on demand, all on 127.0.0.1: a switchable proxy in front of a real service (DynamoDB, STS, the
// console federation endpoint) that can forward, reset connections, hang or answer an error; and an OIDC IdP whose
// discovery and JWKS documents can each be up, down (503), hanging or resetting, with keys that rotate.

import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createTestKey, signCompact, type TestKey } from '../../support/oidc.ts';

/** forward: pass through to the target; reset: drop the connection; hang: never answer; respond: canned answer. */
export type ProxyMode = 'forward' | 'reset' | 'hang' | 'respond';

export interface CannedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface SwitchableProxy {
  readonly url: string;
  /** Requests that reached the proxy (connections dropped in reset mode count too). */
  readonly requests: () => number;
  /**
   * Switches the mode and closes every connection of the previous one; resolves once the broker's HTTP agents (in
   * this process) have dropped those connections from their pools, so the next request opens a new one and is counted.
   */
  setMode(mode: ProxyMode, response?: CannedResponse): Promise<void>;
  close(): Promise<void>;
}

interface Tracked {
  readonly server: Server;
  readonly sockets: Set<Socket>;
}

const track = (server: Server): Tracked => {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { server, sockets };
};

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const closeTracked = ({ server, sockets }: Tracked): Promise<void> =>
  new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });

const forward = (target: URL, req: IncomingMessage, res: ServerResponse): void => {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
};

export const startSwitchableProxy = async (target?: string): Promise<SwitchableProxy> => {
  let mode: ProxyMode = target ? 'forward' : 'reset';
  let canned: CannedResponse = { status: 500 };
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    if (mode === 'forward' && target) return forward(new URL(target), req, res);
    if (mode === 'reset') return void req.socket.destroy();
    if (mode === 'hang') return void req.resume(); // read the body, never answer
    req.resume();
    req.once('end', () => res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers }).end(canned.body ?? ''));
  });
  server.keepAliveTimeout = 1000;
  const tracked = track(server);
  const url = await listen(server);
  return {
    url,
    requests: () => requests,
    setMode: async (next, response) => {
      mode = next;
      if (response) canned = response;
      // Kept-alive connections from the previous mode must not keep working (or keep hanging).
      await Promise.all([...tracked.sockets].map((socket) => new Promise((closed) => socket.once('close', closed).destroy())));
      // A client that wrote on a socket closed under it would see a reset this proxy never counts, and retry: a
      // request sent right after the switch was counted once for two attempts. The client reads the FIN in the next
      // poll phase of the event loop and drops the socket from its agent's pool in the close phase after it.
      await nextTurn();
      await nextTurn();
    },
    close: () => closeTracked(tracked),
  };
};

/** What DynamoDB answers when it cannot serve: the JSON error shape of its protocol. */
export const dynamoError = (status: number, type: string): CannedResponse => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `injected ${type}` }),
});

/** What STS answers when it cannot serve: the XML error shape of the Query protocol. */
export const stsError = (status: number, code: string): CannedResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type><Code>${code}</Code><Message>injected</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});

export type DocumentMode = 'up' | 'down' | 'hang' | 'reset';

export interface FlakyIdp {
  readonly issuer: string;
  readonly audience: string;
  readonly fetches: { discovery: number; jwks: number };
  /** The key new tokens are signed with. */
  signingKey: TestKey;
  discovery: DocumentMode;
  jwks: DocumentMode;
  /** The keys the JWKS serves (public parts). */
  serveKeys(keys: readonly TestKey[]): void;
  /** A valid ID token for alice (MFA, group aws-dev) at `now`, signed by `key` (default signingKey). */
  mint(options?: { key?: TestKey; now?: Date; claims?: Record<string, unknown>; kid?: string }): string;
  close(): Promise<void>;
}

export const startFlakyIdp = async (options: { audience?: string } = {}): Promise<FlakyIdp> => {
  const fetches = { discovery: 0, jwks: 0 };
  let served: readonly TestKey[] = [];
  const answer = (res: ServerResponse, mode: DocumentMode, body: () => unknown): void => {
    if (mode === 'reset') return void res.socket?.destroy();
    if (mode === 'hang') return;
    if (mode === 'down') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
  };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      fetches.discovery += 1;
      answer(res, idp.discovery, () => ({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      fetches.jwks += 1;
      answer(res, idp.jwks, () => ({ keys: served.map((k) => k.publicJwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  const tracked = track(server);
  const issuer = await listen(server);
  const first = createTestKey(`k-${randomUUID()}`);
  served = [first];
  const idp: FlakyIdp = {
    issuer,
    audience: options.audience ?? 'broker-faults',
    fetches,
    signingKey: first,
    discovery: 'up',
    jwks: 'up',
    serveKeys: (keys) => {
      served = keys;
    },
    mint: ({ key, now = new Date(), claims = {}, kid } = {}) => {
      const signer = key ?? idp.signingKey;
      const t = Math.floor(now.getTime() / 1000);
      const payload = {
        iss: issuer,
        sub: 'alice',
        aud: idp.audience,
        iat: t - 5,
        exp: t + 300,
        jti: randomUUID(),
        email: 'alice@example.com',
        groups: ['aws-dev'],
        amr: ['pwd', 'mfa'],
        ...claims,
      };
      return signCompact(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: kid ?? signer.kid }), JSON.stringify(payload), { key: signer });
    },
    close: () => closeTracked(tracked),
  };
  return idp;
};
