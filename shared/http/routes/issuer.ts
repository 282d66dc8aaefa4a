// GET /.well-known/openid-configuration and GET /.well-known/jwks.json: the broker's own OIDC issuer documents.
// Both are cacheable (they change only on a key rotation), unlike every other response of the broker.

import { discoveryDocument, DISCOVERY_PATH, ISSUER_DOCUMENT_MAX_AGE_SECONDS, JWKS_PATH, jwksDocument } from '../../issuance/issuer-documents.ts';
import type { SigningKey } from '../../issuance/signing-key.ts';
import { json, type HttpResult } from '../responses.ts';
import { router } from './router.ts';

const cacheable = (body: unknown): HttpResult => {
  const { headers, ...rest } = json(200, body, { 'cache-control': `public, max-age=${ISSUER_DOCUMENT_MAX_AGE_SECONDS}` });
  const { pragma: _noCache, ...cacheableHeaders } = headers;
  return { ...rest, headers: cacheableHeaders };
};

export const issuerRoutes = ({ baseUrl, keys }: { readonly baseUrl: string; readonly keys: readonly SigningKey[] }) => {
  const discovery = discoveryDocument(baseUrl);
  return router({
    [`GET ${DISCOVERY_PATH}`]: async () => cacheable(discovery),
    // A KMS failure here is SIGNING_UNAVAILABLE (503, no-store): a cache never keeps a JWKS missing a key.
    [`GET ${JWKS_PATH}`]: async () => cacheable(await jwksDocument(keys)),
  });
};
