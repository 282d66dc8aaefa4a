// POST /cli/token, authorization code grant (docs/cli.md): PKCE, the code's single use and binding to its redirect
// URI, the client, and the DPoP proof the session will be bound to (RFC 9449). Every row starts from a valid code
// delivered to the CLI's loopback listener and changes one thing; refusals leave the code unspent, issue no session
// and call no STS. Valid proofs come from the `dpop` library; the malformed ones are crafted with jose.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { flipped, later } from '../support/security-browser.ts';
import { expectCliRefusal, expectNoSecretLeaked } from '../support/security-cli-expect.ts';
import { BASE_URL } from '../support/security-broker.ts';
import { cliCall, codeGrant, craftProof, dpopKey, loopbackSignIn, newPkce, privateJwk, proofFor, secretsOf, type LoopbackSignIn } from '../support/security-cli.ts';

const broker = useBrokerUnderTest({ resetStsEach: true });

interface Row {
  readonly name: string;
  readonly code?: ErrorCode;
  /** The request, made from a fresh valid sign-in; returns the answer and the values that must not leak. */
  readonly act: (signIn: LoopbackSignIn) => Promise<{ result: HandlerResult; secrets: string[] }>;
  /** The row spent the code itself (its first, valid redemption): it cannot be redeemed afterwards. */
  readonly spends?: boolean;
}

/** A token request from the sign-in with `fields` changed, carrying `proof` (made by the `dpop` library unless given). */
const request = async (signIn: LoopbackSignIn, options: { fields?: Record<string, string | undefined>; proof?: string | null } = {}) => {
  const proof = options.proof === null ? undefined : (options.proof ?? (await proofFor(await dpopKey(), '/cli/token')));
  const fields = codeGrant(signIn, options.fields);
  const result = await cliCall(broker, '/cli/token', fields, proof);
  return { result, secrets: secretsOf(signIn.code, signIn.request.pkce.verifier, proof) };
};
const withProof = async (signIn: LoopbackSignIn, proof: string) => request(signIn, { proof });

const rows: Row[] = [
  { name: 'valid: code, verifier, redirect URI, ES256 proof by the dpop library', act: (s) => request(s) },
  { name: 'valid: an Ed25519 key', act: async (s) => withProof(s, await proofFor(await dpopKey('Ed25519'), '/cli/token')) },
  // PKCE (RFC 7636): an intercepted code is useless without the verifier.
  { name: 'code_verifier missing', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { code_verifier: undefined } }) },
  { name: 'code_verifier of another authorization request', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { code_verifier: newPkce().verifier } }) },
  { name: 'the code challenge sent as the verifier (plain method)', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { code_verifier: s.request.pkce.challenge } }) },
  // The code is bound to the listener it was delivered to.
  { name: 'redirect_uri of another loopback listener', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { redirect_uri: 'http://127.0.0.1:53683/callback' } }) },
  { name: 'redirect_uri missing', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { redirect_uri: undefined } }) },
  // The code itself: sealed by the broker, single use, short-lived.
  { name: 'code tampered', code: 'INVALID_GRANT', act: (s) => request(s, { fields: { code: flipped(s.code) } }) },
  {
    name: 'code used twice',
    code: 'INVALID_GRANT',
    spends: true,
    act: async (s) => {
      expect((await request(s)).result.statusCode).toBe(200);
      broker.resetSts();
      return request(s);
    },
  },
  { name: 'code expired (61 s later)', code: 'INVALID_GRANT', act: (s) => later(61, () => request(s)) },
  { name: 'client_id not fbroker', code: 'INVALID_CLIENT', act: (s) => request(s, { fields: { client_id: 'other-cli' } }) },
  { name: 'grant_type password', code: 'UNSUPPORTED_GRANT_TYPE', act: (s) => request(s, { fields: { grant_type: 'password' } }) },
  // DPoP (RFC 9449): the proof comes before the code, so a request that cannot bind a session never spends one.
  { name: 'DPoP proof missing', code: 'DPOP_INVALID', act: (s) => request(s, { proof: null }) },
  { name: 'DPoP htm GET', code: 'DPOP_INVALID', act: async (s) => withProof(s, await proofFor(await dpopKey(), '/cli/token', { method: 'GET' })) },
  { name: 'DPoP htu of another endpoint (/token)', code: 'DPOP_INVALID', act: async (s) => withProof(s, await proofFor(await dpopKey(), '/token')) },
  { name: 'DPoP htu of another host', code: 'DPOP_INVALID', act: async (s) => withProof(s, await proofFor(await dpopKey(), '/cli/token', { url: 'https://evil.example.com/cli/token' })) },
  { name: 'DPoP iat 5 minutes old (stale)', code: 'DPOP_INVALID', act: async (s) => withProof(s, await later(-300, async () => proofFor(await dpopKey(), '/cli/token'))) },
  { name: 'DPoP iat 5 minutes ahead', code: 'DPOP_INVALID', act: async (s) => withProof(s, await later(300, async () => proofFor(await dpopKey(), '/cli/token'))) },
  {
    name: 'DPoP proof replayed (same jti, spent on an earlier request)',
    code: 'DPOP_INVALID',
    act: async (s) => {
      const proof = await proofFor(await dpopKey(), '/cli/token');
      expect((await withProof(await loopbackSignIn(broker), proof)).result.statusCode).toBe(200);
      broker.resetSts();
      return withProof(s, proof);
    },
  },
  { name: 'DPoP alg none', code: 'DPOP_INVALID', act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { header: { alg: 'none' }, rawSignature: '' })) },
  {
    name: 'DPoP HS256 keyed with the public JWK',
    code: 'DPOP_INVALID',
    act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { header: { alg: 'HS256' }, hmacSecret: new TextEncoder().encode(randomBytes(32).toString('hex')) })),
  },
  { name: 'DPoP RS256 key (dpop library)', code: 'DPOP_INVALID', act: async (s) => withProof(s, await proofFor(await dpopKey('RS256'), '/cli/token')) },
  {
    name: 'DPoP private key material (d) in the header jwk',
    code: 'DPOP_INVALID',
    act: async (s) => {
      const key = await dpopKey();
      return withProof(s, await craftProof(key, '/cli/token', { header: { jwk: await privateJwk(key) } }));
    },
  },
  { name: 'DPoP typ JWT', code: 'DPOP_INVALID', act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { header: { typ: 'JWT' } })) },
  { name: 'DPoP signed by another key than the embedded jwk', code: 'DPOP_INVALID', act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { signWith: await dpopKey() })) },
  { name: 'DPoP jti missing', code: 'DPOP_INVALID', act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { claims: { jti: undefined } })) },
  { name: 'DPoP jku header (a key from elsewhere)', code: 'DPOP_INVALID', act: async (s) => withProof(s, await craftProof(await dpopKey(), '/cli/token', { header: { jku: `${BASE_URL}/jwks` } })) },
  {
    name: 'two DPoP proofs in one header',
    code: 'DPOP_INVALID',
    act: async (s) => {
      const key = await dpopKey();
      return withProof(s, `${await proofFor(key, '/cli/token')},${await proofFor(key, '/cli/token')}`);
    },
  },
];

describe('POST /cli/token: authorization code grant with PKCE and DPoP', () => {
  it.each(rows)('$name', async (row) => {
    const signIn = await loopbackSignIn(broker);
    expect(signIn.code).not.toBe('');
    const { result, secrets } = await row.act(signIn);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body) as { access_token: string; token_type: string; session: { id: string; provider: string; subject: string; expiresAt: string } };
      expect(body.token_type).toBe('DPoP');
      expect(body.session).toMatchObject({ provider: 'corp-oidc', subject: 'alice' });
      expect(result.headers['cache-control']).toBe('no-store');
      expectNoSecretLeaked(broker, { ...result, body: '' }, [...secrets, body.access_token]);
      return;
    }
    expectCliRefusal(broker, result, row.code, secrets);
    // The refusal spent nothing: the same code still redeems with a good request — unless the row is about the code.
    const retry = await request(signIn);
    expect(retry.result.statusCode).toBe(row.spends === true ? 400 : 200);
  });
});
