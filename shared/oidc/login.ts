// The OIDC authorization code flow with openid-client v6, as a protocol step: the authorization URL (PKCE S256,
// state, nonce) and the callback's code exchange, checked for state, the RFC 9207 `iss` response parameter
// (mix-up) and nonce, with the ID token then verified again with its signature by the verifier POST /token uses.
// Where the flow's secrets are kept between the two steps (a sealed cookie) is the caller's business.

import * as client from 'openid-client';
import type { BrokerConfig, OidcProviderConfig } from '../config/index.ts';
import type { OidcMaterial } from '../config/material.ts';
import { BrokerError, type ErrorCode } from '../errors.ts';
import { isLoopbackHost } from '../patterns.ts';
import type { OidcVerifier, VerifiedIdToken } from './index.ts';

/** The secrets of one code flow: they go out in the authorization request and must come back with the code. */
export interface CodeFlowSecrets {
  readonly state: string;
  readonly nonce: string;
  /** The PKCE code verifier. */
  readonly verifier: string;
}

export const newCodeFlowSecrets = (): CodeFlowSecrets => ({
  state: client.randomState(),
  nonce: client.randomNonce(),
  verifier: client.randomPKCECodeVerifier(),
});

const clientAuthOf = (provider: OidcProviderConfig, secrets: OidcClientSecrets): client.ClientAuth => {
  const method = provider.clientAuth ?? (secrets.clientSecret !== undefined ? 'client_secret_basic' : 'none');
  switch (method) {
    case 'none':
      return client.None();
    case 'client_secret_basic':
      return client.ClientSecretBasic(secrets.clientSecret);
    case 'client_secret_post':
      return client.ClientSecretPost(secrets.clientSecret);
    case 'private_key_jwt':
      if (secrets.clientPrivateKey === undefined) throw new BrokerError('CONFIG_INVALID', 'private_key_jwt needs clientPrivateKey');
      return client.PrivateKeyJwt(secrets.clientPrivateKey);
  }
};

/** What the provider's client authentication needs: the client secret or the private_key_jwt key (config key material). */
type OidcClientSecrets = Pick<OidcMaterial, 'clientSecret' | 'clientPrivateKey'>;

/** The claim or attribute an oauth4webapi comparison failure names (`cause.claim` / `cause.attribute`). */
const comparedName = (error: client.ClientError): string | undefined => {
  const detail = (error.cause as { cause?: { claim?: unknown; attribute?: unknown } } | undefined)?.cause;
  const name = detail?.claim ?? detail?.attribute;
  return typeof name === 'string' ? name : undefined;
};

const CLAIM_CODES: Readonly<Record<string, ErrorCode>> = { iss: 'ISSUER_MISMATCH', issuer: 'ISSUER_MISMATCH', aud: 'AUDIENCE_MISMATCH', azp: 'AUDIENCE_MISMATCH' };

/**
 * openid-client's errors translated once, here, by class and code (never by message text). The broker's own checks
 * (state, `iss`, nonce) run before or after the library and carry their own codes; what the library refuses on its
 * own is the IdP's answer: an error response, a malformed body, a failed comparison, or no answer at all.
 */
export const translateClientError = (error: unknown): BrokerError => {
  if (error instanceof BrokerError) return error;
  const wrap = (code: ErrorCode, what: string): BrokerError => new BrokerError(code, `OIDC code flow refused: ${what}`, { cause: error });
  // The IdP answered the authorization or token request with an OAuth error (access_denied, invalid_grant, …).
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) return wrap('FLOW_INVALID', error.error);
  if (error instanceof client.ClientError) {
    switch (error.code) {
      case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        return wrap(CLAIM_CODES[comparedName(error) ?? ''] ?? 'TOKEN_INVALID', `${error.code} ${comparedName(error) ?? ''}`.trim());
      case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
        return wrap('TOKEN_EXPIRED', error.code);
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      case 'OAUTH_RESPONSE_IS_NOT_JSON':
      case 'OAUTH_PARSE_ERROR':
      case 'OAUTH_TIMEOUT':
        return wrap('IDP_UNAVAILABLE', error.code);
      default:
        return wrap('FLOW_INVALID', error.code ?? 'ClientError');
    }
  }
  // fetch's own failures: the IdP's token endpoint could not be reached or did not answer in time.
  if (error instanceof TypeError || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) return wrap('IDP_UNAVAILABLE', error.name);
  return wrap('FLOW_INVALID', 'error');
};

export interface OidcCodeFlowOptions {
  readonly config: BrokerConfig;
  readonly verifier: OidcVerifier;
  /** openid-client's discovery timeout, in seconds. */
  readonly timeoutSeconds?: number;
}

export interface OidcCodeFlow {
  /** The provider (by id) that may sign browsers in: an OIDC provider with a clientId. */
  provider(id: string | undefined): { readonly id: string; readonly provider: OidcProviderConfig };
  /** The IdP's authorization URL for this flow's secrets. */
  authorizationUrl(providerId: string, secrets: CodeFlowSecrets): Promise<string>;
  /** The callback: state and `iss` checked, the code exchanged, the ID token verified (signature included). */
  exchange(providerId: string, rawQuery: string, secrets: CodeFlowSecrets, now: Date): Promise<VerifiedIdToken>;
}

export const createOidcCodeFlow = (options: OidcCodeFlowOptions): OidcCodeFlow => {
  const configurations = new Map<string, Promise<client.Configuration>>();
  const redirectUri = `${options.config.broker.baseUrl}/oidc/callback`;

  const provider: OidcCodeFlow['provider'] = (id) => {
    const found = id !== undefined && Object.hasOwn(options.config.providers, id) ? options.config.providers[id] : undefined;
    if (id === undefined || !found || found.type !== 'oidc' || found.clientId === undefined) throw new BrokerError('UNKNOWN_PROVIDER', 'no OIDC provider for browser sign-in by that id');
    return { id, provider: found };
  };

  const configurationOf = (id: string, settings: OidcProviderConfig): Promise<client.Configuration> => {
    let found = configurations.get(id);
    if (!found) {
      const issuer = new URL(settings.issuer);
      const loopback = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
      found = client
        .discovery(issuer, settings.clientId ?? '', { redirect_uris: [redirectUri], response_types: ['code'] }, clientAuthOf(settings, options.config.material.oidc[id] ?? {}), {
          timeout: options.timeoutSeconds ?? 5,
          ...(loopback ? { execute: [client.allowInsecureRequests] } : {}),
        })
        .catch((error: unknown) => {
          configurations.delete(id); // a later sign-in may retry discovery
          throw new BrokerError('IDP_UNAVAILABLE', 'OIDC discovery failed', { cause: error });
        });
      configurations.set(id, found);
    }
    return found;
  };

  const authorizationUrl: OidcCodeFlow['authorizationUrl'] = async (providerId, secrets) => {
    const { id, provider: settings } = provider(providerId);
    const configuration = await configurationOf(id, settings);
    return client
      .buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(secrets.verifier),
        code_challenge_method: 'S256',
        state: secrets.state,
        nonce: secrets.nonce,
      })
      .toString();
  };

  const exchange: OidcCodeFlow['exchange'] = async (providerId, rawQuery, secrets, now) => {
    const { id, provider: settings } = provider(providerId);
    const query = new URLSearchParams(rawQuery);
    // Login CSRF: a callback that does not carry this browser's state is someone else's.
    if (query.get('state') !== secrets.state) throw new BrokerError('FLOW_INVALID', "state does not match this browser's flow");
    // Mix-up defence (RFC 9207): a callback naming another issuer is refused even before the code is used.
    const iss = query.get('iss');
    if (iss !== null && iss !== settings.issuer) throw new BrokerError('ISSUER_MISMATCH', 'the callback names another issuer');
    let idToken: string | undefined;
    try {
      const configuration = await configurationOf(id, settings);
      // …and an IdP that promises `iss` (RFC 9207 §3) must send it: its absence may mean another IdP answered.
      if (iss === null && configuration.serverMetadata().authorization_response_iss_parameter_supported === true) {
        throw new BrokerError('ISSUER_MISMATCH', 'the callback lacks the iss its IdP promises');
      }
      const tokens = await client.authorizationCodeGrant(configuration, new URL(`${redirectUri}?${rawQuery}`), {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      idToken = tokens.id_token;
    } catch (error) {
      throw translateClientError(error);
    }
    if (!idToken) throw new BrokerError('TOKEN_INVALID', 'no ID token in the token response');
    // openid-client trusts TLS for the ID token; the broker verifies its signature with the full policy too.
    const verified = await options.verifier.verify(idToken, now, { providerId: id, consumeJti: false });
    if (verified.claims.nonce !== secrets.nonce) throw new BrokerError('TOKEN_INVALID', 'nonce does not match');
    return verified;
  };

  return { provider, authorizationUrl, exchange };
};
