// The authorization-code half of the test OIDC IdP (test/support/oidc.ts serves discovery and JWKS): an
// authorization step the test performs by hand ("the user signed in"), and a token endpoint on 127.0.0.1 that
// checks the code once and PKCE (S256), then answers with an ID token the test chose — so that OIDC claims with
// hostile values, or hostile ID tokens, reach the broker's callback exactly as a real IdP would deliver them.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestOidcIdp } from './oidc.ts';

export interface AuthorizeOptions {
  /** Claims merged over the IdP's valid claims (a value of undefined removes one); the request's nonce is added. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The ID token itself, built from the request's nonce (wins over claims). */
  readonly idToken?: (nonce: string) => string;
  /** RFC 9207 `iss` on the callback. */
  readonly iss?: string;
}

export interface CodeFlowEndpoint {
  readonly url: string;
  /** How many token requests arrived (a refused callback must not have spent a code). */
  readonly tokenRequests: () => number;
  /** "The user signed in at the IdP": the callback query string for this authorization URL. */
  authorize(authorizationUrl: string, options?: AuthorizeOptions): string;
  close(): Promise<void>;
}

interface Pending {
  readonly challenge: string;
  readonly redirectUri: string;
  readonly idToken: () => string;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
};

export const startCodeFlowEndpoint = async (idp: TestOidcIdp): Promise<CodeFlowEndpoint> => {
  const codes = new Map<string, Pending>();
  let tokenRequests = 0;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/token') return send(404, { error: 'not_found' });
    tokenRequests += 1;
    void readBody(req).then((text) => {
      const params = new URLSearchParams(text);
      const code = params.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code);
      const verifier = params.get('code_verifier') ?? '';
      if (!pending || params.get('grant_type') !== 'authorization_code') return send(400, { error: 'invalid_grant' });
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return send(400, { error: 'invalid_grant', error_description: 'PKCE' });
      if (params.get('redirect_uri') !== pending.redirectUri) return send(400, { error: 'invalid_grant', error_description: 'redirect_uri' });
      return send(200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: pending.idToken() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.setDiscovery({
    issuer: idp.issuer,
    authorization_endpoint: `${url}/authorize`,
    token_endpoint: `${url}/token`,
    jwks_uri: `${idp.issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
  });

  return {
    url,
    tokenRequests: () => tokenRequests,
    authorize: (authorizationUrl, options = {}) => {
      const request = new URL(authorizationUrl).searchParams;
      const nonce = request.get('nonce') ?? '';
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        challenge: request.get('code_challenge') ?? '',
        redirectUri: request.get('redirect_uri') ?? '',
        idToken: () => options.idToken?.(nonce) ?? idp.mint({ now: new Date(), claims: { ...options.claims, nonce } }),
      });
      const callback = new URLSearchParams({ code, state: request.get('state') ?? '' });
      if (options.iss !== undefined) callback.set('iss', options.iss);
      return callback.toString();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
