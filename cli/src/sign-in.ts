// Signing in: the loopback flow (RFC 8252 §7.3: authorization code + PKCE S256 + state, a listener on 127.0.0.1,
// the RFC 9207 `iss` checked) or the device flow (RFC 8628), both ending at POST /cli/token with a DPoP proof by
// a key generated for this session. Returns the session to cache; writes nothing itself.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import * as oauth from 'oauth4webapi';
import { launchBrowserReporting } from './browser.ts';
import { unreachable } from './broker-api.ts';
import type { Broker } from './broker-url.ts';
import type { SessionFile } from './cache.ts';
import { newDpopKey, type DpopKey } from './dpop-key.ts';
import { CliError, printable } from './errors.ts';
import type { Output } from './output.ts';
import { authorizationServer, CLIENT, requestOptions, sessionFromTokenResponse, translateOAuthError } from './oauth.ts';

export interface SignInOptions {
  readonly provider?: string;
  readonly device: boolean;
  readonly noBrowser: boolean;
  readonly callbackPort?: number;
  readonly timeoutMs: number;
  /** $BROWSER. */
  readonly browserEnv?: string;
}

export interface SignInContext {
  readonly broker: Broker;
  readonly io: Output;
  readonly now: () => number;
}

const CALLBACK_PATH = '/callback';
const CHECK_TIMEOUT_MS = 30_000;

// ---- the loopback listener

const page = (res: ServerResponse, status: number, title: string, text: string): void => {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The callback URL holds the code: no referrer, no scripts, nothing loaded from anywhere.
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
  });
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1><p>${escape(text)}</p></html>`);
};

interface Callback {
  readonly url: URL;
  readonly answer: (ok: boolean, text: string) => void;
}

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') reject(new CliError('PORT_IN_USE', `cannot listen on 127.0.0.1:${port} (${error.code}); choose another --callback-port or leave it out`));
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });

/** Waits for the browser to come back with our `state`; answers with a 400 page anything else that arrives. */
const waitForCallback = (server: Server, state: string, timeoutMs: number): Promise<Callback> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError('LOGIN_TIMEOUT', `no sign-in within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found', 'This is fbroker waiting for a sign-in.');
      // Another local program (or a page in the browser) could call us: without our state, it is ignored.
      if (url.searchParams.get('state') !== state) return page(res, 400, 'Not this sign-in', 'This answer does not belong to the sign-in fbroker is waiting for.');
      clearTimeout(timer);
      resolve({ url, answer: (ok, text) => page(res, ok ? 200 : 400, ok ? 'Signed in' : 'Sign-in failed', text) });
    });
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const loopbackSignIn = async (ctx: SignInContext, options: SignInOptions, key: DpopKey): Promise<oauth.TokenEndpointResponse> => {
  const as = authorizationServer(ctx.broker);
  // Loaded when needed: node:http alone costs more start-up time than the whole cached `credentials` path.
  const { createServer } = await import('node:http');
  const server = createServer();
  const port = await listen(server, options.callbackPort ?? 0);
  try {
    const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT.client_id,
      redirect_uri: redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...(options.provider === undefined ? {} : { provider: options.provider }),
    }).toString();
    const callback = waitForCallback(server, state, options.timeoutMs);
    // The URL carries no secret (PKCE keeps the verifier here): print it in case no browser opens.
    ctx.io.err(`fbroker: sign in to ${ctx.broker.url} in your browser${options.noBrowser ? '' : ' (opening it now)'}:`);
    ctx.io.err(`  ${authorize.href}`);
    if (!options.noBrowser) launchBrowserReporting(authorize.href, options.browserEnv, (reason) => ctx.io.err(`fbroker: ${reason}; open the URL above yourself`));
    const { url, answer } = await callback;
    try {
      const params = oauth.validateAuthResponse(as, CLIENT, url, state);
      const response = await oauth.authorizationCodeGrantRequest(as, CLIENT, oauth.None(), params, redirectUri, codeVerifier, requestOptions(ctx.broker, key));
      const tokens = await oauth.processAuthorizationCodeResponse(as, CLIENT, response);
      answer(true, 'fbroker has your session. You can close this tab.');
      return tokens;
    } catch (error) {
      const translated = translateIssuer(translateOAuthError(error, 'sign-in'), url, ctx.broker);
      answer(false, `${translated.code}: ${translated.message}`);
      throw translated;
    }
  } finally {
    await closeServer(server);
  }
};

/** The answer names another issuer: say which URL the broker calls itself, the one to use. */
const issuerMismatch = (iss: string | null, broker: Broker): CliError =>
  new CliError(
    'ISSUER_MISMATCH',
    iss === null ? 'the broker\'s answer does not name its issuer (iss)' : `the broker at ${broker.url} calls itself ${printable(iss, 200)}: use --broker ${printable(iss, 200)} if that is your broker`,
  );

/** oauth4webapi's "unexpected iss" → a message that says what to do (the URL the broker calls itself). */
const translateIssuer = (error: CliError, url: URL, broker: Broker): CliError => {
  const iss = url.searchParams.get('iss');
  return error.code === 'BROKER_BAD_RESPONSE' && iss !== broker.url ? issuerMismatch(iss, broker) : error;
};

// ---- before either flow: is this the broker's own URL?

/** The redirect URI of the check below: syntactically the CLI's, never called (the answer is read, not followed). */
const CHECK_REDIRECT_URI = 'http://127.0.0.1:9/fbroker-issuer-check';

/**
 * Before a person signs in: the broker must call itself by the URL fbroker was given (RFC 9207 `iss`). Reached by
 * another name (`localhost`, an API Gateway URL behind a custom domain), the browser sign-in would end on the broker's
 * error page (its cookies belong to the other host) and fbroker would wait in vain. An authorization request the
 * broker must refuse (response_type=none) comes straight back with its `iss` in the Location header: one request,
 * no browser, nothing stored at the broker.
 */
export const checkIssuer = async (broker: Broker): Promise<void> => {
  const url = new URL(authorizationServer(broker).authorization_endpoint!);
  url.search = new URLSearchParams({ response_type: 'none', client_id: CLIENT.client_id, redirect_uri: CHECK_REDIRECT_URI, state: 'issuer-check' }).toString();
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
  } catch (error) {
    throw unreachable(broker, error);
  }
  let back: URL | undefined;
  try {
    back = new URL(response.headers.get('location') ?? '');
  } catch {
    back = undefined;
  }
  if (response.status < 300 || response.status > 399 || back === undefined || `${back.origin}${back.pathname}` !== CHECK_REDIRECT_URI) {
    throw new CliError('CLI_SIGN_IN_UNAVAILABLE', `${broker.url} does not offer CLI sign-in (GET /cli/authorize answered HTTP ${response.status}): is this the broker's URL, with broker.cli in its config?`, { status: response.status });
  }
  if (back.searchParams.get('iss') !== broker.url) throw issuerMismatch(back.searchParams.get('iss'), broker);
};

// ---- the device flow

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const deviceSignIn = async (ctx: SignInContext, options: SignInOptions, key: DpopKey): Promise<oauth.TokenEndpointResponse> => {
  const as = authorizationServer(ctx.broker);
  let device: oauth.DeviceAuthorizationResponse;
  try {
    const response = await oauth.deviceAuthorizationRequest(as, CLIENT, oauth.None(), options.provider === undefined ? {} : { provider: options.provider }, requestOptions(ctx.broker));
    device = await oauth.processDeviceAuthorizationResponse(as, CLIENT, response);
  } catch (error) {
    throw translateOAuthError(error, 'the device authorization request');
  }
  ctx.io.err(`fbroker: to sign in to ${ctx.broker.url}, open ${printable(device.verification_uri, 500)}`);
  ctx.io.err(`  and enter the code ${printable(device.user_code, 20)}`);
  if (typeof device.verification_uri_complete === 'string') ctx.io.err(`  (or open ${printable(device.verification_uri_complete, 600)})`);
  ctx.io.err('  Confirm only if the page shows this same code: never for a code someone sent you.');
  const deadline = ctx.now() + Math.min(options.timeoutMs, device.expires_in * 1000);
  let interval = Math.max(1, device.interval ?? 5) * 1000;
  for (;;) {
    if (ctx.now() + interval > deadline) throw new CliError('LOGIN_TIMEOUT', 'the code was not confirmed in time');
    await sleep(interval);
    try {
      const response = await oauth.deviceCodeGrantRequest(as, CLIENT, oauth.None(), device.device_code, requestOptions(ctx.broker, key));
      return await oauth.processDeviceCodeResponse(as, CLIENT, response);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending') continue;
      // RFC 8628 §3.5: polling too fast adds 5 s to the interval, for good.
      if (error instanceof oauth.ResponseBodyError && error.error === 'slow_down') {
        interval += 5000;
        continue;
      }
      if (error instanceof oauth.ResponseBodyError && error.error === 'expired_token') throw new CliError('LOGIN_TIMEOUT', 'the code expired before it was confirmed');
      if (error instanceof oauth.ResponseBodyError && error.error === 'access_denied') {
        const refusal = translateOAuthError(error, 'sign-in');
        throw new CliError(refusal.code === 'ACCESS_DENIED' ? 'LOGIN_REFUSED' : refusal.code, refusal.message, refusal.requestId === undefined ? {} : { requestId: refusal.requestId });
      }
      throw translateOAuthError(error, 'sign-in');
    }
  }
};

/** One sign-in with a new DPoP key; the session it returns is not cached yet. */
export const signIn = async (ctx: SignInContext, options: SignInOptions): Promise<SessionFile> => {
  await checkIssuer(ctx.broker);
  const key = await newDpopKey();
  const tokens = options.device ? await deviceSignIn(ctx, options, key) : await loopbackSignIn(ctx, options, key);
  const session = sessionFromTokenResponse(ctx.broker, tokens, key, ctx.now());
  ctx.io.err(`fbroker: signed in as ${printable(session.session.subject, 200)} (${printable(session.session.provider, 100)}) until ${session.session.expiresAt}`);
  return session;
};
