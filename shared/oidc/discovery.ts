// The provider's discovery document, fetched once per instance from <issuer>/.well-known/openid-configuration.
// A failed fetch is not remembered as a result: it is retried, but not more often than every RETRY_AFTER_SECONDS.

import { BrokerError, RETRY_AFTER_SECONDS } from '../errors.ts';
import { fetchJson, isAllowedUrl, type HttpOptions } from './fetch-json.ts';

export interface ProviderMetadata {
  readonly issuer: string;
  readonly jwksUri: URL;
  /** The whole document, for the browser flow (authorization_endpoint, token_endpoint, …). */
  readonly document: Readonly<Record<string, unknown>>;
}

// Trailing slashes: the look-behind starts a match only at the first slash of a run (linear time).
export const discoveryUrl = (issuer: string): URL => new URL(`${issuer.replace(/(?<!\/)\/+$/, '')}/.well-known/openid-configuration`);

export const fetchDiscovery = async (issuer: string, http: HttpOptions): Promise<ProviderMetadata> => {
  const url = discoveryUrl(issuer);
  const document = await fetchJson(url, http);
  // Stops an IdP mix-up: the document must describe the issuer we configured, character for character.
  if (document.issuer !== issuer) throw new BrokerError('IDP_UNAVAILABLE', `${url.href}: issuer does not match the configured issuer`);
  const jwksUri = typeof document.jwks_uri === 'string' ? URL.parse(document.jwks_uri) : null;
  // Stops keys fetched over plain HTTP (an on-path attacker would choose them); loopback http is for development.
  if (!jwksUri || !isAllowedUrl(jwksUri)) throw new BrokerError('IDP_UNAVAILABLE', `${url.href}: jwks_uri is missing or not https`);
  return { issuer, jwksUri, document };
};

/** Discovery for one provider, memoised per instance; concurrent callers share one request. */
export const createDiscovery = (issuer: string, http: HttpOptions, now: () => Date): (() => Promise<ProviderMetadata>) => {
  let result: ProviderMetadata | undefined;
  let pending: Promise<ProviderMetadata> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;
  return async () => {
    if (result) return result;
    // Stops a down IdP from being hammered at the request rate (each attempt may wait for the full timeout).
    if (!pending && now().getTime() - failedAt < RETRY_AFTER_SECONDS * 1000) {
      throw new BrokerError('IDP_UNAVAILABLE', `discovery for ${issuer} failed recently`, { cause: lastError });
    }
    pending ??= fetchDiscovery(issuer, http)
      .then((metadata) => (result = metadata))
      .catch((error: unknown) => {
        failedAt = now().getTime();
        lastError = error;
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
};
