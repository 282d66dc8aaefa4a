// openid-client's failures, raised by the real library against a token endpoint on 127.0.0.1 that answers each way an
// IdP can fail, and the stable code the code flow gives each: translated by class and code, never by message text.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../shared/errors.ts';
import { BrokerError } from '../../../shared/errors.ts';
import { createOidcVerifier } from '../../../shared/oidc/index.ts';
import { createOidcCodeFlow, newCodeFlowSecrets, translateClientError, type OidcCodeFlow } from '../../../shared/oidc/login.ts';
import { createMemoryReplayStore } from '../../support/memory-replay.ts';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc.ts';

/** What the token endpoint answers for one row: a body (JSON or raw) and a status, or a dropped connection. */
type Answer = { status: number; json?: unknown; raw?: string; contentType?: string } | 'drop';

let idp: TestOidcIdp;
let server: Server;
let answer: (nonce: string) => Answer = () => 'drop';
let nonce = '';
let codeFlow: OidcCodeFlow;

beforeAll(async () => {
  idp = await startTestOidcIdp();
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(nonce);
      if (a === 'drop') return void res.socket?.destroy();
      const body = a.raw ?? JSON.stringify(a.json);
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  idp.setDiscovery({
    issuer: idp.issuer,
    authorization_endpoint: `${idp.issuer}/authorize`,
    token_endpoint: tokenEndpoint,
    jwks_uri: `${idp.issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
  });
  const config = await idp.config();
  codeFlow = createOidcCodeFlow({ config, verifier: createOidcVerifier(config, { replay: createMemoryReplayStore() }) });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await idp.close();
});

const tokens = (idToken: string): Answer => ({ status: 200, json: { access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken } });
const now = (): number => Math.floor(Date.now() / 1000);

interface Row {
  readonly name: string;
  /** The callback query beyond `code` and `state` (or instead of `code`). */
  readonly callback?: (state: string) => string;
  readonly answer: (nonce: string) => Answer;
  /** undefined: the exchange succeeds. */
  readonly code?: ErrorCode;
}

const rows: Row[] = [
  { name: 'valid: an ID token for this client and nonce', answer: (n) => tokens(idp.mint({ now: new Date(), claims: { nonce: n } })) },
  // The IdP refused the sign-in: an OAuth error on the callback (AuthorizationResponseError).
  { name: 'the IdP answers the authorization with access_denied', callback: (s) => `error=access_denied&state=${s}`, answer: () => 'drop', code: 'FLOW_INVALID' },
  // The token endpoint refused the code (ResponseBodyError): reused, expired or forged.
  { name: 'the token endpoint answers invalid_grant', answer: () => ({ status: 400, json: { error: 'invalid_grant' } }), code: 'FLOW_INVALID' },
  // The ID token's claims, compared by openid-client before the broker's own verification.
  { name: 'an ID token for another client (aud)', answer: (n) => tokens(idp.mint({ now: new Date(), claims: { nonce: n, aud: 'someone-else' } })), code: 'AUDIENCE_MISMATCH' },
  { name: 'an ID token of another issuer (iss)', answer: (n) => tokens(idp.mint({ now: new Date(), claims: { nonce: n, iss: 'https://evil.example' } })), code: 'ISSUER_MISMATCH' },
  { name: 'an expired ID token (exp)', answer: (n) => tokens(idp.mint({ now: new Date(), claims: { nonce: n, iat: now() - 7200, exp: now() - 3600 } })), code: 'TOKEN_EXPIRED' },
  { name: 'an ID token for another flow (nonce)', answer: () => tokens(idp.mint({ now: new Date(), claims: { nonce: 'not-this-flow' } })), code: 'TOKEN_INVALID' },
  // The IdP is broken or gone: no answer a flow could continue with.
  { name: 'the token endpoint answers HTML with 500', answer: () => ({ status: 500, raw: '<html>oops</html>', contentType: 'text/html' }), code: 'IDP_UNAVAILABLE' },
  { name: 'the token endpoint answers a body that is not JSON', answer: () => ({ status: 200, raw: 'not json', contentType: 'application/json' }), code: 'IDP_UNAVAILABLE' },
  { name: 'the token endpoint drops the connection', answer: () => 'drop', code: 'IDP_UNAVAILABLE' },
];

describe('openid-client failures, translated by class and code', () => {
  it.each(rows)('$name', async (row) => {
    const secrets = newCodeFlowSecrets();
    nonce = secrets.nonce;
    answer = row.answer;
    const query = row.callback?.(secrets.state) ?? `code=c-${Math.random().toString(36).slice(2)}&state=${secrets.state}`;
    const result = codeFlow.exchange('test-oidc', query, secrets, new Date());
    if (row.code === undefined) await expect(result).resolves.toMatchObject({ providerId: 'test-oidc', subject: 'alice' });
    else await expect(result).rejects.toMatchObject({ code: row.code });
  });

  it('passes the broker’s own errors through unchanged, and calls anything unknown FLOW_INVALID', () => {
    const own = new BrokerError('ISSUER_MISMATCH');
    expect(translateClientError(own)).toBe(own);
    expect(translateClientError(new Error('something else'))).toMatchObject({ code: 'FLOW_INVALID' });
  });
});
