// A programmatic sign-in: authorization code + PKCE against the development IdP (or any IdP with the same plain
// username/password form), over plain HTTP with manual redirects and a small cookie jar. Returns the ID token.
// For the credential_process script and the integration tests; a real IdP needs a browser. DEV-ONLY.

import { isLoopbackHost } from '../../shared/patterns.ts';
import * as client from 'openid-client';

export interface SignInOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** How the client authenticates at the token endpoint (default: client_secret_basic with a secret, else none). */
  readonly tokenEndpointAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post';
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
  /** Default 'openid email profile'. */
  readonly scope?: string;
}

export type SignInErrorCode =
  | 'INSECURE_ISSUER'
  | 'LOGIN_REFUSED'
  | 'UNEXPECTED_RESPONSE'
  | 'FOREIGN_REDIRECT'
  | 'TOO_MANY_REDIRECTS'
  | 'NO_ID_TOKEN';

/** Sign-in failures with a stable code; errors of openid-client (state, nonce, token endpoint) pass through as they are. */
export class SignInError extends Error {
  readonly code: SignInErrorCode;
  constructor(code: SignInErrorCode, message: string) {
    super(message);
    this.name = 'SignInError';
    this.code = code;
  }
}

const MAX_HOPS = 20;
const TIMEOUT_MS = 10_000;

const isLoopback = (url: URL): boolean => isLoopbackHost(url.hostname);

// ---- cookie jar: host-only cookies, matched by path, removed when the server expires them

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
}

const defaultPath = (url: URL): string => url.pathname.slice(0, Math.max(1, url.pathname.lastIndexOf('/')));

const pathMatches = (cookiePath: string, requestPath: string): boolean =>
  requestPath === cookiePath || requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(url: URL, setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      let path = defaultPath(url);
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=', 2);
        if (/^path$/i.test(key) && value.startsWith('/')) path = value;
        if (/^max-age$/i.test(key) && Number(value) <= 0) expired = true;
        if (/^expires$/i.test(key) && Date.parse(value) <= Date.now()) expired = true;
      }
      const cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), host: url.host, path };
      const key = `${cookie.host} ${cookie.path} ${cookie.name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => c.host === url.host && pathMatches(c.path, url.pathname))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

// ---- the login form

const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_m, entity: string) => {
    const e = entity.toLowerCase();
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
};

export interface LoginForm {
  readonly action: URL;
  readonly fields: URLSearchParams;
}

/** The form with a password field, filled in; hidden fields keep their values. Undefined when the page has none. */
export const fillLoginForm = (html: string, pageUrl: URL, username: string, password: string): LoginForm | undefined => {
  for (const [, formTag = '', body = ''] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const inputs = [...body.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => ({
      name: attribute(tag, 'name'),
      type: (attribute(tag, 'type') ?? 'text').toLowerCase(),
      value: attribute(tag, 'value') ?? '',
    }));
    if (!inputs.some((i) => i.type === 'password')) continue;
    const fields = new URLSearchParams();
    for (const input of inputs) {
      if (input.name === undefined) continue;
      if (input.type === 'password') fields.set(input.name, password);
      else if (/^(username|login|email|user)$/i.test(input.name)) fields.set(input.name, username);
      else if (input.type !== 'submit' && input.type !== 'button') fields.set(input.name, input.value);
    }
    return { action: new URL(attribute(formTag, 'action') ?? pageUrl.href, pageUrl), fields };
  }
  return undefined;
};

// ---- the flow

const discover = async (options: SignInOptions): Promise<client.Configuration> => {
  const issuer = new URL(options.issuer);
  const insecure = issuer.protocol === 'http:';
  // Plain http only on loopback (the development IdP): anywhere else a password would cross the network in clear.
  if (insecure && !isLoopback(issuer)) throw new SignInError('INSECURE_ISSUER', `refusing to sign in over http to ${issuer.origin}: use https`);
  const method = options.tokenEndpointAuthMethod ?? (options.clientSecret === undefined ? 'none' : 'client_secret_basic');
  const auth =
    method === 'none' ? client.None() : method === 'client_secret_post' ? client.ClientSecretPost(options.clientSecret) : client.ClientSecretBasic(options.clientSecret);
  return client.discovery(issuer, options.clientId, options.clientSecret, auth, insecure ? { execute: [client.allowInsecureRequests] } : undefined);
};

const isRedirectTo = (url: URL, redirectUri: URL): boolean => url.origin === redirectUri.origin && url.pathname === redirectUri.pathname;

/** Walks from the authorization URL through the login form to the redirect back to the client. */
const followToCallback = async (start: URL, options: SignInOptions): Promise<URL> => {
  const jar = new CookieJar();
  const redirectUri = new URL(options.redirectUri);
  let url = start;
  let request: RequestInit = { method: 'GET' };
  let submitted = false;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    // Cookies and the password go to the IdP's origin only.
    if (url.origin !== start.origin) throw new SignInError('FOREIGN_REDIRECT', `the IdP redirected to another origin (${url.origin})`);
    const headers = new Headers(request.headers);
    const cookie = jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...request, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    jar.store(url, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (isRedirectTo(next, redirectUri)) return next;
      url = next;
      request = { method: 'GET' };
      continue;
    }
    const form = fillLoginForm(await response.text(), url, options.username, options.password);
    if (!form) throw new SignInError('UNEXPECTED_RESPONSE', `unexpected HTTP ${response.status} from ${url.origin}${url.pathname} during sign-in`);
    if (submitted) throw new SignInError('LOGIN_REFUSED', `the IdP refused the username or password of ${options.username}`);
    submitted = true;
    url = form.action;
    request = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.fields.toString() };
  }
  throw new SignInError('TOO_MANY_REDIRECTS', `sign-in did not reach ${redirectUri.origin}${redirectUri.pathname} within ${MAX_HOPS} requests`);
};

export const signInWithPassword = async (options: SignInOptions): Promise<{ idToken: string }> => {
  const config = await discover(options);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await followToCallback(authorizationUrl, options);
  // state, nonce, PKCE and the RFC 9207 iss parameter are checked by openid-client.
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  if (tokens.id_token === undefined) throw new SignInError('NO_ID_TOKEN', 'the token response has no id_token');
  return { idToken: tokens.id_token };
};
