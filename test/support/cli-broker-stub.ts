// A stand-in for the broker on 127.0.0.1, for the one thing the real one (`npm start`, test/e2e/fbroker-*.test.ts)
// cannot do: misbehave. By default it answers as the broker does (docs/cli.md): the authorization request approved at
// once for "alice" (PKCE S256, state and redirect URI round trip), a DPoP-bound session from POST /cli/token, then
// credentials from POST /token (DPoP proofs verified by jose: htm, htu, iat, jti, ath and the session key's
// thumbprint). Each `behaviour` switch makes one answer hostile; counts show what fbroker did with it.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';

export interface StubBehaviour {
  /**
   * What POST /token answers: credentials, an HTML page with 200, a refusal in the broker's shape, credentials that
   * have already expired, or a gateway's HTML error page.
   */
  token: 'ok' | 'garbage' | 'error' | 'expired' | 'gateway';
  /** The `iss` of every authorization response (default: the stub's URL). */
  iss?: string;
  /** The `iss` of the response that carries a code only (a mix-up after the person signed in). */
  codeIss?: string;
  /** The token_type of the session from /cli/token (the broker's is DPoP). */
  sessionTokenType: string;
  /** false: every /cli route answers 404, as a broker without `broker.cli` does. */
  cli: boolean;
}

export interface StubBroker {
  readonly url: string;
  readonly behaviour: StubBehaviour;
  readonly counts: { signIns: number; exchanges: Record<string, number> };
  /** Proof failures seen (a client bug would show here). */
  readonly proofErrors: string[];
  /** Every secret handed out: session tokens, secret keys, session tokens of credentials. */
  readonly issued: string[];
  stop(): Promise<void>;
}

export const DEFAULT_BEHAVIOUR: Readonly<StubBehaviour> = { token: 'ok', sessionTokenType: 'DPoP', cli: true };

const S256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');
const SESSION_TYPE = 'urn:federation-broker:token-type:session';

const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
};

export const startStubBroker = async (): Promise<StubBroker> => {
  const behaviour: StubBehaviour = { ...DEFAULT_BEHAVIOUR };
  const counts = { signIns: 0, exchanges: {} as Record<string, number> };
  const proofErrors: string[] = [];
  const issued: string[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const sessions = new Map<string, { jkt: string }>();
  const seenJti = new Set<string>();
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const html = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html>${text}</html>`);
  };
  const refuse = (res: ServerResponse, status: number, error: string, code: string): void =>
    json(res, status, { error, error_description: `stub refusal ${code}`, code, request_id: `req-${randomUUID()}` });

  /** RFC 9449 §4.3 checks of the proof; the key's thumbprint when it holds. */
  const verifyProof = async (req: IncomingMessage, path: string, accessToken?: string): Promise<string | undefined> => {
    const proof = req.headers.dpop;
    if (typeof proof !== 'string') return void proofErrors.push(`${path}: no DPoP header`);
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], maxTokenAge: '60s', clockTolerance: 5 });
      if (payload.htm !== 'POST' || payload.htu !== `${url}${path}`) throw new Error(`htm/htu ${String(payload.htm)} ${String(payload.htu)}`);
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) throw new Error('jti missing or reused');
      seenJti.add(payload.jti);
      if (accessToken !== undefined && payload.ath !== createHash('sha256').update(accessToken).digest('base64url')) throw new Error('ath');
      if (accessToken === undefined && payload.ath !== undefined) throw new Error('unexpected ath');
      return await calculateJwkThumbprint(protectedHeader.jwk as JWK);
    } catch (error) {
      proofErrors.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

  const credentials = (role: string, seconds: number): Record<string, unknown> => {
    const secret = `stub-secret-${randomBytes(8).toString('hex')}`;
    const sessionToken = `STUB-SESSION-TOKEN-${randomBytes(8).toString('hex')}`;
    issued.push(secret, sessionToken);
    return {
      Version: 1,
      AccessKeyId: `ASIASTUBFAKE${randomBytes(4).toString('hex').toUpperCase()}`,
      SecretAccessKey: secret,
      SessionToken: sessionToken,
      Expiration: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      RoleArn: `arn:aws:iam::111122223333:role/${role}`,
      issued_token_type: 'urn:federation-broker:token-type:aws-credentials',
      token_type: 'N_A',
      expires_in: seconds,
    };
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, u: URL) => Promise<void>> = {
    'GET /cli/authorize': async (_req, res, u) => {
      const q = u.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== 'fbroker' || !/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+\/[^#]*$/.test(redirectUri)) return void json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      back.searchParams.set('state', q.get('state') ?? '');
      const ok = q.get('response_type') === 'code' && q.get('code_challenge_method') === 'S256' && Boolean(q.get('code_challenge')) && Boolean(q.get('state'));
      if (ok) {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { challenge: q.get('code_challenge')!, redirectUri });
        back.searchParams.set('code', code);
      } else back.searchParams.set('error', q.get('response_type') === 'code' ? 'invalid_request' : 'unsupported_response_type');
      back.searchParams.set('iss', (ok ? behaviour.codeIss : undefined) ?? behaviour.iss ?? url);
      res.writeHead(302, { location: back.href });
      res.end();
    },
    'POST /cli/token': async (req, res) => {
      const form = await readForm(req);
      const jkt = await verifyProof(req, '/cli/token');
      if (jkt === undefined) return refuse(res, 400, 'invalid_dpop_proof', 'DPOP_INVALID');
      if (form.get('client_id') !== 'fbroker' || form.get('grant_type') !== 'authorization_code') return refuse(res, 400, 'invalid_request', 'INVALID_REQUEST');
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (grant === undefined || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== S256(form.get('code_verifier') ?? '')) return refuse(res, 400, 'invalid_grant', 'INVALID_GRANT');
      counts.signIns += 1;
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, { jkt });
      issued.push(token);
      const expiresAt = new Date(Date.now() + 28_800_000).toISOString();
      json(res, 200, { access_token: token, token_type: behaviour.sessionTokenType, expires_in: 28_800, session: { id: `ses-${randomUUID()}`, provider: 'dev-oidc', subject: 'alice', expiresAt } });
    },
    'POST /token': async (req, res) => {
      const form = await readForm(req);
      const token = form.get('subject_token') ?? '';
      if (form.get('subject_token_type') !== SESSION_TYPE || !sessions.has(token)) return refuse(res, 400, 'invalid_request', 'SESSION_INVALID');
      if ((await verifyProof(req, '/token', token)) !== sessions.get(token)?.jkt) return refuse(res, 400, 'invalid_request', 'DPOP_INVALID');
      const role = form.get('audience') ?? form.get('resource') ?? '';
      counts.exchanges[role] = (counts.exchanges[role] ?? 0) + 1;
      switch (behaviour.token) {
        case 'garbage':
          return html(res, 200, 'Gateway says hello');
        case 'gateway':
          return html(res, 502, '502 Bad Gateway');
        case 'error':
          return refuse(res, 400, 'invalid_target', 'ROLE_NOT_GRANTED');
        case 'expired':
          return json(res, 200, credentials(role, -60));
        case 'ok':
          return json(res, 200, credentials(role, 3600));
      }
    },
  };

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes[`${req.method} ${u.pathname}`];
    if (route === undefined || (!behaviour.cli && u.pathname.startsWith('/cli/'))) return html(res, 404, 'Not found');
    route(req, res, u).catch(() => refuse(res, 500, 'server_error', 'INTERNAL'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    url,
    behaviour,
    counts,
    proofErrors,
    issued,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
