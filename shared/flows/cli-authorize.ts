// GET /cli/authorize (RFC 6749 §4.1.1 with PKCE, RFC 7636, and loopback redirects, RFC 8252 §7.3) as a value: the
// request checked, then the provider to sign in with (or the choice of one). An unknown client or a redirect URI that
// is not the CLI's loopback listener is refused without any redirect; every other error goes back to that listener
// with `error`, `state` and `iss` (RFC 9207).

import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { loopbackRedirectUri, withResponseParams } from '../oauth/loopback.ts';
import { isCodeChallenge } from '../oauth/pkce.ts';
import { CLI_CLIENT_ID, type CliSignInRequest } from './cli-sign-in.ts';

export interface BrowserProvider {
  readonly id: string;
  readonly type: 'saml' | 'oidc';
  readonly label: string;
}

export interface AuthorizeParams {
  readonly response_type?: string | undefined;
  readonly client_id?: string | undefined;
  readonly redirect_uri?: string | undefined;
  readonly code_challenge?: string | undefined;
  readonly code_challenge_method?: string | undefined;
  readonly state?: string | undefined;
  readonly provider?: string | undefined;
}

export type AuthorizeOutcome =
  /** Go sign in with this provider, carrying the request. */
  | { readonly kind: 'sign-in'; readonly provider: BrowserProvider; readonly request: CliSignInRequest }
  /** Several providers and none named: let the person choose (each choice is this request with `provider`). */
  | { readonly kind: 'choose'; readonly providers: readonly BrowserProvider[] }
  /** An error the CLI's listener is told about. */
  | { readonly kind: 'error-redirect'; readonly url: string };

/** The providers that can sign a browser in: SAML providers, and OIDC providers with a clientId. */
export const browserProvidersOf = (config: BrokerConfig): BrowserProvider[] =>
  Object.entries(config.providers)
    .filter(([, p]) => p.type === 'saml' || p.clientId !== undefined)
    .map(([id, p]) => ({ id, type: p.type, label: p.label ?? id }));

/** A state echoed back to the CLI: what any CLI sends, bounded. */
const STATE = /^[\x21-\x7e]{1,512}$/;

export const authorize = (config: BrokerConfig, params: AuthorizeParams): AuthorizeOutcome => {
  // No redirect before client and redirect URI are known good: an open redirector is how codes are stolen.
  if (params.client_id !== CLI_CLIENT_ID) throw new BrokerError('INVALID_CLIENT', 'client_id is not fbroker');
  const redirectUri = loopbackRedirectUri(params.redirect_uri);
  if (redirectUri === undefined) throw new BrokerError('REDIRECT_URI_INVALID', 'redirect_uri is not a loopback URI (http://127.0.0.1:<port>/… or http://[::1]:<port>/…)');
  const state = params.state !== undefined && STATE.test(params.state) ? params.state : undefined;
  const fail = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'error-redirect',
    url: withResponseParams(redirectUri, { error, error_description: description, state, iss: config.broker.baseUrl }),
  });
  if (params.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
  // Login CSRF on the CLI's listener: a response it cannot tie to its own request must be discarded, so one is required.
  if (state === undefined) return fail('invalid_request', 'state is required');
  // PKCE S256 only: without it a code intercepted on the machine could be redeemed by anyone.
  if (params.code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
  if (params.code_challenge === undefined || !isCodeChallenge(params.code_challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
  const providers = browserProvidersOf(config);
  const request: CliSignInRequest = { kind: 'authorize', redirectUri, state, codeChallenge: params.code_challenge };
  if (params.provider !== undefined) {
    const provider = providers.find((p) => p.id === params.provider);
    return provider ? { kind: 'sign-in', provider, request } : fail('invalid_request', 'unknown provider');
  }
  const [only, ...others] = providers;
  if (!only) return fail('server_error', 'no provider offers browser sign-in');
  return others.length === 0 ? { kind: 'sign-in', provider: only, request } : { kind: 'choose', providers };
};
