// The development OIDC IdP: a real oidc-provider on 127.0.0.1 with its own login page and demo users, for
// `npm start` and the tests. Signing keys are generated at start and live only in memory. DEV-ONLY.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Provider, type InteractionDetails } from 'oidc-provider';
import { createDevAdapterFactory } from './dev-oidc-adapter.ts';
import { errorPage, loginPage, sendPage } from './dev-oidc-pages.ts';
import { authenticate, claimsOf, DEV_USERS, REFEDS_MFA, REFEDS_SFA, type DevUser } from './dev-oidc-users.ts';

export { DEV_USERS, type DevUser } from './dev-oidc-users.ts';

export interface DevOidcClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly redirect_uris: readonly string[];
  readonly token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  readonly grant_types?: readonly string[];
  /** Public keys of a private_key_jwt client. */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
}

export interface DevOidcIdpOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly clients: readonly DevOidcClient[];
  readonly users?: readonly DevUser[];
  readonly idTokenTtlSeconds?: number;
}

export interface DevOidcIdp {
  readonly issuer: string;
  /** The public signing keys (what the IdP serves at its jwks_uri). */
  readonly jwks: { readonly keys: readonly JWK[] };
  readonly users: readonly DevUser[];
  stop(): Promise<void>;
}

const MAX_FORM_BYTES = 8 * 1024;

const signingKey = async (): Promise<{ privateJwk: JWK; publicJwk: JWK }> => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' } };
};

const readForm = async (req: IncomingMessage): Promise<URLSearchParams | undefined> => {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

const providerConfig = (options: DevOidcIdpOptions, users: readonly DevUser[], privateJwk: JWK): Record<string, unknown> => ({
  adapter: createDevAdapterFactory(),
  clients: options.clients.map((c) => ({ ...c, response_types: ['code'], grant_types: c.grant_types ?? ['authorization_code'] })),
  jwks: { keys: [privateJwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  // Without these two, oidc-provider keeps email, groups and amr out of the ID token (NOTES.md).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'department', 'groups'],
    groups: ['groups'],
  },
  acrValues: [REFEDS_MFA, REFEDS_SFA],
  responseTypes: ['code'],
  pkce: { required: () => true },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: options.idTokenTtlSeconds ?? 3600,
    Interaction: 600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
    RefreshToken: 8 * 3600,
  },
  clientBasedCORS: () => false,
  findAccount: (_ctx: unknown, sub: string) => {
    const user = users.find((u) => u.sub === sub);
    return user && { accountId: sub, claims: () => claimsOf(user) };
  },
});

/** Consent is granted automatically: every client of this IdP is configured by us. */
const grantConsent = async (provider: Provider, details: InteractionDetails): Promise<Record<string, unknown>> => {
  const accountId = details.session?.accountId;
  if (accountId === undefined) throw new Error('consent without a signed-in user');
  const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId: String(details.params.client_id) }) : await provider.Grant.find(details.grantId);
  if (!grant) throw new Error('grant not found');
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
  if (Array.isArray(missingOIDCScope)) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (Array.isArray(missingOIDCClaims)) grant.addOIDCClaims(missingOIDCClaims.map(String));
  if (missingResourceScopes && typeof missingResourceScopes === 'object') {
    for (const [resource, scopes] of Object.entries(missingResourceScopes)) if (Array.isArray(scopes)) grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  return { consent: details.grantId === undefined ? { grantId } : {} };
};

const interaction = async (provider: Provider, users: readonly DevUser[], req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> => {
  const details = await provider.interactionDetails(req, res);
  // The uid in the path must be the one this browser's interaction cookie names.
  if (details.uid !== uid) return sendPage(res, 400, 'Sign-in', errorPage('This sign-in page does not belong to your sign-in; start again.'));
  const view = { uid, clientId: String(details.params.client_id), users };
  if (req.method === 'GET' && action === undefined) {
    if (details.prompt.name === 'consent') return provider.interactionFinished(req, res, await grantConsent(provider, details), { mergeWithLastSubmission: true });
    return sendPage(res, 200, 'Sign in', loginPage(view));
  }
  if (req.method !== 'POST') return sendPage(res, 405, 'Sign-in', errorPage('Method not allowed.'));
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled the sign-in' }, { mergeWithLastSubmission: false });
  }
  const form = await readForm(req);
  if (!form) return sendPage(res, 413, 'Sign in', errorPage('The form is too large.'));
  const username = form.get('username') ?? '';
  const user = authenticate(users, username, form.get('password') ?? '');
  if (!user) return sendPage(res, 401, 'Sign in', loginPage({ ...view, username, error: 'Invalid username or password.' }));
  const login = { accountId: user.sub, amr: [...user.amr], ...(user.acr === undefined ? {} : { acr: user.acr }), remember: false };
  return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
};

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

export const startDevOidcIdp = async (options: DevOidcIdpOptions): Promise<DevOidcIdp> => {
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? DEV_USERS;
  const { privateJwk, publicJwk } = await signingKey();
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host);
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const provider = new Provider(issuer, providerConfig(options, users, privateJwk));
  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match?.[1]) return oidc(req, res);
    interaction(provider, users, req, res, match[1], match[2]).catch((error: unknown) => {
      // An expired or missing interaction cookie is routine; anything else is worth a line in the terminal.
      if (!(error instanceof Error && error.name === 'SessionNotFound')) console.warn(`dev-oidc-idp: interaction failed: ${String(error)}`);
      // The browser gets no detail either way.
      if (!res.headersSent) sendPage(res, 400, 'Sign-in', errorPage('The sign-in session has expired or is invalid; start again.'));
      else res.end();
    });
  });
  return {
    issuer,
    jwks: { keys: [publicJwk] },
    users,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
