// CLI sign-in for the security suite, in process (docs/cli.md): the authorization request of `fbroker login`, the
// provider's browser flow that ends on the loopback redirect, the token request with a DPoP proof, the device grant,
// and the uses of a broker session on /token, /roles and /cli/console. Valid DPoP proofs come from panva's `dpop`
// client library, not from the broker's code; the malformed ones are crafted with jose so that each differs from a
// valid proof by one thing.

import { createHash, randomBytes } from 'node:crypto';
import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { base64url, CompactSign, exportJWK, type JWK } from 'jose';
import type { SamlUserClaims } from '../../tools/local/dev-saml-response.ts';
import { ALICE } from './saml-idp.ts';
import { BASE_URL, Browser, form, hiddenField, OIDC_PROVIDER, SAML_PROVIDER, type BrokerUnderTest, type EventOptions, type HandlerResult } from './security-broker.ts';
import { postAcs, samlLogin, samlResponse } from './security-browser.ts';

export const CLI_CLIENT = 'fbroker';
export const LOOPBACK = 'http://127.0.0.1:53682/callback';
export const SESSION_TYPE = 'urn:federation-broker:token-type:session';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export type Via = 'saml' | 'oidc';

export const endpointOf = (path: string): string => `${BASE_URL}${path}`;

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export const newPkce = (): Pkce => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** A CLI's DPoP key pair (extractable, so that the crafted proofs can embed its JWK). */
export const dpopKey = (alg: 'ES256' | 'Ed25519' | 'RS256' = 'ES256'): Promise<KeyPair> => generateKeyPair(alg, { extractable: true });

/** A valid proof by the `dpop` library for a request to `path` (and, when a session is presented, its `ath`). */
export const proofFor = (key: KeyPair, path: string, options: { readonly method?: string; readonly session?: string; readonly url?: string } = {}): Promise<string> =>
  generateProof(key, options.url ?? endpointOf(path), options.method ?? 'POST', undefined, options.session);

export const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

export interface CraftOptions {
  readonly header?: Readonly<Record<string, unknown>>;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Signs with this key instead of `key` (the header still embeds `key`'s public JWK unless `header.jwk` says else). */
  readonly signWith?: KeyPair;
  /** The signature part as given (e.g. '' for `alg: none`). */
  readonly rawSignature?: string;
  readonly hmacSecret?: Uint8Array;
}

/** A proof built by hand: a valid ES256 proof for `path` with one thing changed. */
export const craftProof = async (key: KeyPair, path: string, options: CraftOptions = {}): Promise<string> => {
  const jwk: JWK = await exportJWK(key.publicKey);
  const header = { alg: 'ES256', typ: 'dpop+jwt', jwk, ...options.header };
  const claims = { jti: randomBytes(16).toString('base64url'), htm: 'POST', htu: endpointOf(path), iat: Math.floor(Date.now() / 1000), ...options.claims };
  const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));
  if (options.rawSignature !== undefined) return `${encode(header)}.${encode(claims)}.${options.rawSignature}`;
  const signer = new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header as { alg: string });
  return signer.sign(options.hmacSecret ?? (options.signWith ?? key).privateKey);
};

/** The private JWK of a key pair (to smuggle into a proof's header). */
export const privateJwk = (key: KeyPair): Promise<JWK> => exportJWK(key.privateKey);

/** A call to the CLI function as the CLI makes it: form body, optional DPoP header. */
export const cliCall = (broker: BrokerUnderTest, path: string, fields: Readonly<Record<string, string>>, proof?: string, options: EventOptions = {}): Promise<HandlerResult> =>
  new Browser().call(broker.handlers.cli, path, { body: form(fields), headers: proof === undefined ? {} : { dpop: proof }, ...options });

export interface AuthorizeRequest {
  readonly pkce: Pkce;
  readonly redirectUri: string;
  readonly state: string;
  readonly query: string;
}

/** The query of `fbroker login`'s authorization request; `overrides` changes (or, with undefined, removes) parameters. */
export const authorizeRequest = (provider: string | undefined, overrides: Readonly<Record<string, string | undefined>> = {}): AuthorizeRequest => {
  const pkce = newPkce();
  const state = randomBytes(12).toString('base64url');
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLI_CLIENT,
    redirect_uri: LOOPBACK,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state,
    provider,
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return { pkce, redirectUri: params.redirect_uri ?? '', state, query };
};

const queryOf = (location: string): string => new URL(location, BASE_URL).search.slice(1);

/**
 * After a redirect to `/saml/login?…&cli=1` or `/oidc/login?…&cli=1`: the provider's sign-in in this browser, to the
 * broker's answer at the ACS or callback (the loopback redirect, or the device page).
 */
export const continueAtProvider = async (broker: BrokerUnderTest, browser: Browser, location: string, user: { saml?: SamlUserClaims; oidc?: Record<string, unknown> } = {}): Promise<HandlerResult> => {
  if (location.startsWith('/saml/login')) {
    const { requestId } = await samlLogin(broker, browser, queryOf(location));
    return postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId, user: user.saml ?? ALICE }) });
  }
  const login = await browser.call(broker.handlers.oidc, '/oidc/login', { query: queryOf(location) });
  const query = broker.codeFlow.authorize(login.headers.location ?? '', { claims: user.oidc ?? {} });
  return browser.call(broker.handlers.oidc, '/oidc/callback', { query });
};

/** Where a page that moves on by itself (`Refresh: 0; url=…`) sends the browser. */
export const continuationOf = (result: HandlerResult): string | undefined => /^0; url=(\S+)$/.exec(result.headers.refresh ?? '')?.[1];
/** Where the browser goes next: a redirect's Location, or a self-refreshing page's URL. */
export const nextUrl = (result: HandlerResult): string | undefined => result.headers.location ?? continuationOf(result);

export const providerOf = (via: Via): string => (via === 'saml' ? SAML_PROVIDER : OIDC_PROVIDER);

export interface LoopbackSignIn {
  readonly request: AuthorizeRequest;
  /** The redirect to the CLI's listener. */
  readonly result: HandlerResult;
  readonly params: URLSearchParams;
  readonly code: string;
}

/** `fbroker login` through a provider: /cli/authorize, the provider's flow, the redirect back with the code. */
export const loopbackSignIn = async (broker: BrokerUnderTest, via: Via = 'oidc', user: { saml?: SamlUserClaims; oidc?: Record<string, unknown> } = {}): Promise<LoopbackSignIn> => {
  const browser = new Browser();
  const request = authorizeRequest(providerOf(via));
  const authorize = await browser.call(broker.handlers.cli, '/cli/authorize', { query: request.query });
  const result = await continueAtProvider(broker, browser, authorize.headers.location ?? '', user);
  const params = new URL(nextUrl(result) ?? 'http://invalid/').searchParams;
  return { request, result, params, code: params.get('code') ?? '' };
};

export const codeGrant = (signIn: LoopbackSignIn, overrides: Readonly<Record<string, string | undefined>> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries({ grant_type: 'authorization_code', client_id: CLI_CLIENT, code: signIn.code, redirect_uri: signIn.request.redirectUri, code_verifier: signIn.request.pkce.verifier, ...overrides }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );

export interface MintedSession {
  readonly key: KeyPair;
  readonly token: string;
  readonly id: string;
}

/** A broker session the real way: loopback sign-in, then POST /cli/token with a proof by a fresh key. */
export const mintSession = async (broker: BrokerUnderTest, via: Via = 'oidc', key?: KeyPair): Promise<MintedSession> => {
  const signIn = await loopbackSignIn(broker, via);
  const dpop = key ?? (await dpopKey());
  const result = await cliCall(broker, '/cli/token', codeGrant(signIn), await proofFor(dpop, '/cli/token'));
  if (result.statusCode !== 200) throw new Error(`session not minted: ${result.statusCode} ${result.body}`);
  const body = JSON.parse(result.body) as { access_token: string; session: { id: string } };
  return { key: dpop, token: body.access_token, id: body.session.id };
};

export type SessionRoute = '/token' | '/roles' | '/cli/console';

/** A request that presents a session on one of the three routes that take one. */
export const useSession = (broker: BrokerUnderTest, route: SessionRoute, token: string, proof: string | undefined): Promise<HandlerResult> => {
  const headers: Record<string, string> = proof === undefined ? {} : { dpop: proof };
  if (route === '/cli/console') return cliCall(broker, route, { session: token, role: 'readonly' }, proof);
  const fields = { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: token, subject_token_type: SESSION_TYPE };
  return new Browser().call(route === '/token' ? broker.handlers.token : broker.handlers.roles, route, { body: form(fields), headers });
};

export interface DeviceStart {
  readonly deviceCode: string;
  readonly userCode: string;
}

export const startDevice = async (broker: BrokerUnderTest, fields: Readonly<Record<string, string>> = { client_id: CLI_CLIENT }): Promise<DeviceStart> => {
  const result = await cliCall(broker, '/cli/device', fields);
  const body = JSON.parse(result.body) as { device_code?: string; user_code?: string };
  return { deviceCode: body.device_code ?? '', userCode: body.user_code ?? '' };
};

/** The verification page in `browser`, then its form posted with `choice` (approve:<provider> or deny). */
export const confirmDevice = async (broker: BrokerUnderTest, browser: Browser, userCode: string, choice: string, sourceIp = '203.0.113.7'): Promise<HandlerResult> => {
  const page = await browser.call(broker.handlers.cli, '/cli/device', { query: new URLSearchParams({ user_code: userCode }).toString(), sourceIp });
  const confirmToken = hiddenField(page.body, 'confirm_token') ?? '';
  return browser.call(broker.handlers.cli, '/cli/device/confirm', { body: form({ user_code: userCode, confirm_token: confirmToken, choice }), sourceIp });
};


/** A person approves a device code and signs in through `via`: the page the sign-in ends on. */
export const approveDevice = async (broker: BrokerUnderTest, userCode: string, via: Via = 'oidc', user: { saml?: SamlUserClaims; oidc?: Record<string, unknown> } = {}): Promise<HandlerResult> => {
  const browser = new Browser();
  const confirmed = await confirmDevice(broker, browser, userCode, `approve:${providerOf(via)}`);
  return continueAtProvider(broker, browser, continuationOf(confirmed) ?? '', user);
};

export const deviceGrant = (deviceCode: string): Record<string, string> => ({ grant_type: DEVICE_GRANT, client_id: CLI_CLIENT, device_code: deviceCode });

/** Values a row handled that must never reach a log line or an error body: codes, verifiers, tokens, proofs. */
export const secretsOf = (...values: ReadonlyArray<string | undefined>): string[] => values.filter((v): v is string => typeof v === 'string' && v.length >= 16);
