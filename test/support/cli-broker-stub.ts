// A stand-in for the broker's CLI routes (docs/cli.md, "What the broker answers") on 127.0.0.1, for fbroker's
// own tests until they run against `npm start`: it signs "alice" in at once, checks what a real broker checks of
// the client (PKCE S256, state and redirect URI round trip, DPoP proofs verified by jose with htm, htu, iat, jti,
// ath and the session's key thumbprint), counts sign-ins and exchanges, and can be told to misbehave.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';

export interface StubBehaviour {
  /** What POST /token answers: credentials, an HTML page, an error, or credentials that have already expired. */
  token: 'ok' | 'garbage' | 'error' | 'expired';
  /** The authorization endpoint approves at once, or redirects back with error=access_denied. */
  authorize: 'approve' | 'deny';
  /** The `iss` the authorization response names (default: the stub's URL). */
  iss?: string;
  /** Polls answered authorization_pending before the device code is confirmed. */
  devicePendingPolls: number;
  sessionSeconds: number;
  credentialSeconds: number;
}

export interface StubBroker {
  readonly url: string;
  readonly behaviour: StubBehaviour;
  readonly counts: { signIns: number; exchanges: Record<string, number>; roles: number; console: number; revocations: number; devicePolls: number };
  /** Proof failures seen (a client bug would show here). */
  readonly proofErrors: string[];
  /** Every secret handed out: session tokens, secret keys, session tokens of credentials, console sign-in tokens. */
  readonly issued: string[];
  /** Revokes every session (as an operator's `sessions revoke` would). */
  revokeAll(): void;
  stop(): Promise<void>;
}

interface Session {
  readonly id: string;
  readonly jkt: string;
  readonly expiresAt: number;
  revoked: boolean;
}

const S256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');
const SESSION_TYPE = 'urn:federation-broker:token-type:session';

const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
};

export const startStubBroker = async (overrides: Partial<StubBehaviour> = {}): Promise<StubBroker> => {
  const behaviour: StubBehaviour = { token: 'ok', authorize: 'approve', devicePendingPolls: 1, sessionSeconds: 28_800, credentialSeconds: 3600, ...overrides };
  const counts = { signIns: 0, exchanges: {} as Record<string, number>, roles: 0, console: 0, revocations: 0, devicePolls: 0 };
  const proofErrors: string[] = [];
  const issued: string[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const devices = new Map<string, { polls: number }>();
  const sessions = new Map<string, Session>();
  const seenJti = new Set<string>();
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
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

  const issueSession = (res: ServerResponse, jkt: string): void => {
    counts.signIns += 1;
    const token = randomBytes(32).toString('base64url');
    const session: Session = { id: `ses-${randomUUID()}`, jkt, expiresAt: Date.now() + behaviour.sessionSeconds * 1000, revoked: false };
    sessions.set(token, session);
    issued.push(token);
    json(res, 200, { access_token: token, token_type: 'DPoP', expires_in: behaviour.sessionSeconds, session: { id: session.id, provider: 'dev-oidc', subject: 'alice', expiresAt: new Date(session.expiresAt).toISOString() } });
  };

  /** The session of a request that uses one, checked as /token, /roles and /cli/console check it. */
  const useSession = async (req: IncomingMessage, res: ServerResponse, path: string, token: string | null): Promise<Session | undefined> => {
    const session = token === null ? undefined : sessions.get(token);
    if (session === undefined) return void refuse(res, 400, 'invalid_request', 'SESSION_INVALID');
    if (session.revoked) return void refuse(res, 400, 'invalid_request', 'SESSION_REVOKED');
    if (session.expiresAt <= Date.now()) return void refuse(res, 400, 'invalid_request', 'SESSION_EXPIRED');
    const jkt = await verifyProof(req, path, token!);
    if (jkt !== session.jkt) return void refuse(res, 400, 'invalid_request', 'DPOP_INVALID');
    return session;
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, u: URL) => Promise<void>> = {
    'GET /cli/authorize': async (_req, res, u) => {
      const q = u.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== 'fbroker' || !/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+\/[^#]*$/.test(redirectUri)) return void json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      back.searchParams.set('state', q.get('state') ?? '');
      back.searchParams.set('iss', behaviour.iss ?? url);
      if (behaviour.authorize === 'deny' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state')) {
        back.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { challenge: q.get('code_challenge')!, redirectUri });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href });
      res.end();
    },
    'POST /cli/device': async (req, res) => {
      const form = await readForm(req);
      if (form.get('client_id') !== 'fbroker') return refuse(res, 400, 'invalid_client', 'INVALID_CLIENT');
      const deviceCode = randomBytes(16).toString('base64url');
      devices.set(deviceCode, { polls: 0 });
      json(res, 200, { device_code: deviceCode, user_code: 'BCDF-GHJK', verification_uri: `${url}/cli/device`, verification_uri_complete: `${url}/cli/device?user_code=BCDFGHJK`, expires_in: 600, interval: 1 });
    },
    'POST /cli/token': async (req, res) => {
      const form = await readForm(req);
      const jkt = await verifyProof(req, '/cli/token');
      if (jkt === undefined) return refuse(res, 400, 'invalid_dpop_proof', 'DPOP_INVALID');
      if (form.get('client_id') !== 'fbroker') return refuse(res, 400, 'invalid_client', 'INVALID_CLIENT');
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (grant === undefined || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== S256(form.get('code_verifier') ?? '')) return refuse(res, 400, 'invalid_grant', 'INVALID_GRANT');
        return issueSession(res, jkt);
      }
      if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        counts.devicePolls += 1;
        const device = devices.get(form.get('device_code') ?? '');
        if (device === undefined) return refuse(res, 400, 'invalid_grant', 'INVALID_GRANT');
        device.polls += 1;
        if (device.polls <= behaviour.devicePendingPolls) return refuse(res, 400, 'authorization_pending', 'AUTHORIZATION_PENDING');
        devices.delete(form.get('device_code') ?? '');
        return issueSession(res, jkt);
      }
      refuse(res, 400, 'unsupported_grant_type', 'UNSUPPORTED_GRANT_TYPE');
    },
    'POST /token': async (req, res) => {
      const form = await readForm(req);
      if (form.get('subject_token_type') !== SESSION_TYPE) return refuse(res, 400, 'invalid_request', 'UNSUPPORTED_TOKEN_TYPE');
      if ((await useSession(req, res, '/token', form.get('subject_token'))) === undefined) return;
      const role = form.get('audience') ?? form.get('resource') ?? '';
      counts.exchanges[role] = (counts.exchanges[role] ?? 0) + 1;
      if (behaviour.token === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html>Gateway says hello</html>');
      }
      if (behaviour.token === 'error') return refuse(res, 400, 'invalid_target', 'ROLE_NOT_GRANTED');
      const seconds = behaviour.token === 'expired' ? -60 : Number(form.get('duration_seconds') ?? behaviour.credentialSeconds);
      const secret = `stub-secret-${randomBytes(8).toString('hex')}`;
      const sessionToken = `STUB-SESSION-TOKEN-${randomBytes(8).toString('hex')}`;
      issued.push(secret, sessionToken);
      const n = String(Object.values(counts.exchanges).reduce((a, b) => a + b, 0)).padStart(4, '0');
      json(res, 200, {
        Version: 1,
        AccessKeyId: `ASIASTUBFAKE${n}`,
        SecretAccessKey: secret,
        SessionToken: sessionToken,
        Expiration: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        RoleArn: `arn:aws:iam::111122223333:role/${role}`,
        issued_token_type: 'urn:federation-broker:token-type:aws-credentials',
        token_type: 'N_A',
        expires_in: seconds,
      });
    },
    'POST /roles': async (req, res) => {
      const form = await readForm(req);
      if ((await useSession(req, res, '/roles', form.get('subject_token'))) === undefined) return;
      counts.roles += 1;
      json(res, 200, { roles: [{ id: 'dev-readonly', arn: 'arn:aws:iam::111122223333:role/DevReadOnly', label: 'Dev account — read only', maxSessionSeconds: 3600 }] });
    },
    'POST /cli/console': async (req, res) => {
      const form = await readForm(req);
      if ((await useSession(req, res, '/cli/console', form.get('session'))) === undefined) return;
      counts.console += 1;
      const signinToken = `stub-signin-${randomBytes(8).toString('hex')}`;
      issued.push(signinToken);
      json(res, 200, { url: `https://signin.aws.amazon.com/federation?Action=login&Issuer=stub&SigninToken=${signinToken}` });
    },
    'POST /cli/revoke': async (req, res) => {
      const form = await readForm(req);
      const session = sessions.get(form.get('token') ?? '');
      if (session !== undefined) session.revoked = true;
      counts.revocations += 1;
      res.writeHead(200);
      res.end();
    },
  };

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes[`${req.method} ${u.pathname}`];
    if (route === undefined) return refuse(res, 404, 'invalid_request', 'NOT_FOUND');
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
    revokeAll: () => {
      for (const s of sessions.values()) s.revoked = true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
