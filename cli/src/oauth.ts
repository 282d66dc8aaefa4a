// fbroker as the broker's public native client (RFC 8252, client_id `fbroker`): the authorization-server metadata
// it assumes (the routes of docs/cli.md, issuer = the broker URL), oauth4webapi for the protocol, and DPoP proofs
// from the `dpop` library added to each token request. Library errors are translated here, once.

import * as oauth from 'oauth4webapi';
import { endpoint, type Broker } from './broker-url.ts';
import { brokerRefusal, unreachable } from './broker-api.ts';
import type { SessionFile } from './cache.ts';
import { isTimestamp } from './cache.ts';
import { dpopProof, type DpopKey } from './dpop-key.ts';
import { CliError, printable } from './errors.ts';

export const CLIENT: oauth.Client = { client_id: 'fbroker', token_endpoint_auth_method: 'none' };
const TIMEOUT_MS = 30_000;

export const authorizationServer = (broker: Broker): oauth.AuthorizationServer => ({
  issuer: broker.url,
  authorization_endpoint: endpoint(broker, '/cli/authorize'),
  token_endpoint: endpoint(broker, '/cli/token'),
  device_authorization_endpoint: endpoint(broker, '/cli/device'),
  revocation_endpoint: endpoint(broker, '/cli/revoke'),
  code_challenge_methods_supported: ['S256'],
  // RFC 9207: every authorization response names its issuer; a response from another one is refused (mix-up).
  authorization_response_iss_parameter_supported: true,
});

export interface RequestOptions {
  readonly [oauth.customFetch]: typeof fetch;
  readonly [oauth.allowInsecureRequests]?: boolean;
  readonly signal?: AbortSignal;
}

/** oauth4webapi's fetch, with a DPoP proof by `key` on every request (when given) and a timeout. */
export const requestOptions = (broker: Broker, key?: DpopKey): RequestOptions => ({
  [oauth.customFetch]: async (url, init) => {
    const headers = new Headers(init?.headers);
    if (key !== undefined) headers.set('dpop', await dpopProof(key, init?.method ?? 'GET', String(url)));
    try {
      return await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw unreachable(broker, error);
    }
  },
  ...(broker.insecure ? { [oauth.allowInsecureRequests]: true } : {}),
});

/** oauth4webapi's errors → ours: the broker's refusals keep its code and request id. */
export const translateOAuthError = (error: unknown, what: string): CliError => {
  if (error instanceof CliError) return error;
  if (error instanceof oauth.ResponseBodyError) return brokerRefusal(error.status, error.cause, error.response.headers);
  if (error instanceof oauth.AuthorizationResponseError) {
    // The broker sends access_denied without a description when its rules grant the identity no role.
    const description = error.error_description !== undefined ? `: ${printable(error.error_description)}` : error.error === 'access_denied' ? ': no role is granted to this identity, or the sign-in was cancelled' : '';
    return new CliError('LOGIN_REFUSED', `sign-in refused (${printable(error.error)})${description}`);
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new CliError('BROKER_BAD_RESPONSE', `unexpected answer from the broker during ${what}: ${printable(error.message)}`, { cause: error });
  }
  return new CliError('INTERNAL', `${what} failed: ${error instanceof Error ? printable(error.message) : 'unknown error'}`, { cause: error });
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1024;

/** The /cli/token success → the session file to cache (checked: DPoP-bound, an id, an expiry in the future). */
export const sessionFromTokenResponse = (broker: Broker, tokens: oauth.TokenEndpointResponse, key: DpopKey, now: number): SessionFile => {
  const session = tokens.session;
  // A Bearer session would not be bound to our key: refuse rather than carry a stealable token.
  if (tokens.token_type !== 'dpop') throw new CliError('BROKER_BAD_RESPONSE', `the broker issued a ${printable(String(tokens.token_type))} session, not a DPoP-bound one`);
  if (!isObject(session) || !nonEmpty(session.id)) throw new CliError('BROKER_BAD_RESPONSE', 'the broker\'s token response has no session');
  const expiresAt = isTimestamp(session.expiresAt)
    ? new Date(Date.parse(session.expiresAt)).toISOString()
    : typeof tokens.expires_in === 'number'
      ? new Date(now + tokens.expires_in * 1000).toISOString()
      : undefined;
  if (expiresAt === undefined || Date.parse(expiresAt) <= now) throw new CliError('BROKER_BAD_RESPONSE', 'the broker issued a session that has no expiry or has already expired');
  return {
    version: 1,
    broker: broker.url,
    session: { id: session.id, provider: nonEmpty(session.provider) ? session.provider : '?', subject: nonEmpty(session.subject) ? session.subject : '?', expiresAt },
    accessToken: tokens.access_token,
    dpopKey: key.privateJwk,
    createdAt: new Date(now).toISOString(),
  };
};

/** RFC 7009 revocation of a session at /cli/revoke (no proof needed). */
export const revokeSession = async (broker: Broker, accessToken: string): Promise<void> => {
  const as = authorizationServer(broker);
  try {
    const response = await oauth.revocationRequest(as, CLIENT, oauth.None(), accessToken, requestOptions(broker));
    await oauth.processRevocationResponse(response);
  } catch (error) {
    throw translateOAuthError(error, 'revoking the session');
  }
};
