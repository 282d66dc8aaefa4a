// OIDC browser sign-in with openid-client v6: authorization code + PKCE (S256), state and nonce kept in a sealed,
// short-lived flow cookie consumed once; the RFC 9207 `iss` response parameter checked when sent (mix-up); the
// ID token then verified again with its signature by the same verifier POST /token uses.

import * as client from 'openid-client';
import { importPKCS8 } from 'jose';
import type { BrokerConfig, OidcProviderConfig } from '../config/index.ts';
import { BrokerError, type ErrorCode } from '../errors.ts';
import type { VerifiedIdentity } from '../flows/identity.ts';
import type { BrowserIntent } from '../flows/browser-session.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { Sealer } from '../stores/seal.ts';
import type { OidcVerifier } from './index.ts';

export const FLOW_SECONDS = 600;

export interface OidcFlow {
  readonly provider: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly intent: BrowserIntent;
}

const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');

const clientAuth = async (config: BrokerConfig, provider: OidcProviderConfig): Promise<client.ClientAuth> => {
  const secret = provider.clientSecret === undefined ? undefined : config.secrets.get(provider.clientSecret);
  const method = provider.clientAuth ?? (secret !== undefined ? 'client_secret_basic' : 'none');
  switch (method) {
    case 'none':
      return client.None();
    case 'client_secret_basic':
      return client.ClientSecretBasic(secret);
    case 'client_secret_post':
      return client.ClientSecretPost(secret);
    case 'private_key_jwt': {
      const pem = provider.clientPrivateKey === undefined ? undefined : config.secrets.get(provider.clientPrivateKey);
      if (pem === undefined) throw new BrokerError('CONFIG_INVALID', 'private_key_jwt needs clientPrivateKey');
      return client.PrivateKeyJwt(await importPKCS8(pem, 'RS256'));
    }
  }
};

/** openid-client errors translated once, here. */
const translate = (error: unknown): BrokerError => {
  if (error instanceof BrokerError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : '';
  let mapped: ErrorCode = 'FLOW_INVALID';
  if (/iss/i.test(message) && /mismatch|unexpected|invalid/i.test(message)) mapped = 'ISSUER_MISMATCH';
  else if (code === 'OAUTH_RESPONSE_BODY_ERROR' || code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR') mapped = 'FLOW_INVALID';
  else if (code === 'OAUTH_TIMEOUT' || /fetch failed|ECONNREFUSED|timeout/i.test(message)) mapped = 'IDP_UNAVAILABLE';
  return new BrokerError(mapped, `OIDC code flow refused: ${code || 'error'}`, { cause: error });
};

export interface OidcLoginDeps {
  readonly config: BrokerConfig;
  readonly sealer: Sealer;
  readonly replay: ReplayStore;
  readonly verifier: OidcVerifier;
}

export const createOidcLogin = (deps: OidcLoginDeps) => {
  const configurations = new Map<string, Promise<client.Configuration>>();
  const redirectUri = `${deps.config.broker.baseUrl}/oidc/callback`;

  const providerOf = (id: string | undefined): [string, OidcProviderConfig] => {
    const provider = id !== undefined && Object.hasOwn(deps.config.providers, id) ? deps.config.providers[id] : undefined;
    if (!id || !provider || provider.type !== 'oidc' || provider.clientId === undefined) throw new BrokerError('UNKNOWN_PROVIDER', 'no OIDC provider for browser sign-in by that id');
    return [id, provider];
  };

  const configurationOf = (id: string, provider: OidcProviderConfig): Promise<client.Configuration> => {
    let found = configurations.get(id);
    if (!found) {
      const issuer = new URL(provider.issuer);
      found = (async () =>
        client.discovery(issuer, provider.clientId ?? '', { redirect_uris: [redirectUri], response_types: ['code'] }, await clientAuth(deps.config, provider), {
          timeout: 5,
          ...(isLoopbackHttp(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        }))().catch((error: unknown) => {
        configurations.delete(id); // a later sign-in may retry discovery
        throw new BrokerError('IDP_UNAVAILABLE', 'OIDC discovery failed', { cause: error });
      });
      configurations.set(id, found);
    }
    return found;
  };

  /** GET /oidc/login: the authorization redirect and the sealed flow cookie value. */
  const start = async (providerId: string | undefined, intent: BrowserIntent, now: Date): Promise<{ location: string; flow: string }> => {
    const [id, provider] = providerOf(providerId);
    const configuration = await configurationOf(id, provider);
    const flow: OidcFlow = { provider: id, state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), intent };
    const location = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: provider.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    const sealed = deps.sealer.seal('oidc-flow', flow as unknown as Record<string, unknown>, new Date(now.getTime() + FLOW_SECONDS * 1000));
    return { location: location.toString(), flow: sealed };
  };

  /** GET /oidc/callback: state, PKCE, `iss`, code exchange, then the ID token verified with its signature. */
  const finish = async (sealedFlow: string | undefined, rawQuery: string, now: Date): Promise<{ identity: VerifiedIdentity; intent: BrowserIntent }> => {
    if (!sealedFlow) throw new BrokerError('FLOW_INVALID', 'no flow cookie: the sign-in did not start in this browser');
    const flow = deps.sealer.open('oidc-flow', sealedFlow, now, 'FLOW_INVALID') as unknown as OidcFlow;
    const [id, provider] = providerOf(flow.provider);
    const query = new URLSearchParams(rawQuery);
    // The flow cookie answers one callback only (a replayed callback URL or code finds it spent).
    await deps.replay.claimOnce(`oidc-flow:${flow.state}`, new Date(now.getTime() + FLOW_SECONDS * 1000));
    if (query.get('state') !== flow.state) throw new BrokerError('FLOW_INVALID', 'state does not match this browser\'s flow');
    // Mix-up defence (RFC 9207): a callback naming another issuer is refused even before the code is used.
    const iss = query.get('iss');
    if (iss !== null && iss !== provider.issuer) throw new BrokerError('ISSUER_MISMATCH', 'the callback names another issuer');
    let idToken: string | undefined;
    try {
      const configuration = await configurationOf(id, provider);
      const tokens = await client.authorizationCodeGrant(configuration, new URL(`${redirectUri}?${rawQuery}`), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      idToken = tokens.id_token;
    } catch (error) {
      throw translate(error);
    }
    if (!idToken) throw new BrokerError('TOKEN_INVALID', 'no ID token in the token response');
    // openid-client trusts TLS for the ID token; the broker verifies its signature with the full policy too.
    const verified = await deps.verifier.verify(idToken, now, { providerId: id, consumeJti: false });
    if (verified.claims.nonce !== flow.nonce) throw new BrokerError('TOKEN_INVALID', 'nonce does not match');
    return {
      identity: { providerId: id, protocol: 'oidc', subject: verified.subject, tokenId: verified.jti, rawClaims: verified.claims },
      intent: flow.intent,
    };
  };

  return { start, finish };
};
