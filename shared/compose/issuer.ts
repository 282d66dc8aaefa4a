// Composition of the issuer function: the discovery document and the JWKS of the broker's own OIDC issuer.
// Both are cacheable (they change only on a key rotation), unlike every other response of the broker.

import { loadConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { json, type HttpResult } from '../http/responses.ts';
import { discoveryDocument, DISCOVERY_PATH, ISSUER_DOCUMENT_MAX_AGE_SECONDS, JWKS_PATH, jwksDocument } from '../issuance/issuer-documents.ts';
import { publishedSigningKeys } from './signing.ts';

const cacheable = (body: unknown): HttpResult => {
  const { headers, ...rest } = json(200, body, { 'cache-control': `public, max-age=${ISSUER_DOCUMENT_MAX_AGE_SECONDS}` });
  const { pragma: _noCache, ...cacheableHeaders } = headers;
  return { ...rest, headers: cacheableHeaders };
};

/** Answers `GET <path>` for the two issuer documents; the route key is API Gateway's (`GET /.well-known/…`). */
export const composeIssuerDocuments = async () => {
  const config = await loadConfig();
  const keys = publishedSigningKeys(config);
  const discovery = discoveryDocument(config.broker.baseUrl);
  return async (routeKey: string): Promise<HttpResult> => {
    if (routeKey === `GET ${DISCOVERY_PATH}`) return cacheable(discovery);
    // A KMS failure here is SIGNING_UNAVAILABLE (503, no-store): a cache never keeps a JWKS missing a key.
    if (routeKey === `GET ${JWKS_PATH}`) return cacheable(await jwksDocument(keys));
    throw new BrokerError('NOT_FOUND', `no issuer document for ${routeKey}`);
  };
};
