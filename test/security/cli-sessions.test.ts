// Broker sessions in use (docs/cli.md): POST /token, POST /roles and POST /cli/console each take a session token with
// a DPoP proof by the session's key, for that endpoint, with `ath` = the token's hash. One table, run against each of
// the three routes: every row starts from a freshly minted session (the real flow: loopback sign-in, /cli/token) and
// changes one thing. Refusals are 400 with their code, call no STS, and leak neither token nor proof.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { parseSessionToken, type SessionToken } from '../../shared/flows/cli-session.ts';
import { createSealer, sealingSecretOf, type Sealer } from '../../shared/stores/seal.ts';
import { auditRecords } from '../support/capture.ts';
import { carriesCredentials, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { flipped, later } from '../support/security-browser.ts';
import { expectCliRefusal, expectNoSecretLeaked } from '../support/security-cli-expect.ts';
import { cliCall, dpopKey, loopbackSignIn, mintSession, proofFor, secretsOf, useSession, type MintedSession, type SessionRoute } from '../support/security-cli.ts';

const broker = useBrokerUnderTest({ resetStsEach: true });

/** The suite broker's session sealer: to re-seal a genuine session with one field changed. */
const sessionSealer = (): Sealer<SessionToken> => {
  const secret = sealingSecretOf(broker.sealingSecret);
  if (!secret) throw new Error('no sealing secret');
  return createSealer(secret, { purpose: 'cli-session', failCode: 'SESSION_INVALID', parse: parseSessionToken });
};
const resealed = (token: string, change: (t: SessionToken) => SessionToken): string => {
  const sealer = sessionSealer();
  return sealer.seal(change(sealer.open(token, new Date())), new Date(Date.now() + 3600_000));
};

interface Row {
  readonly name: string;
  readonly code?: ErrorCode;
  /** The request on `route` with the minted session `s`; returns the answer and what it handled that must not leak. */
  readonly act: (route: SessionRoute, s: MintedSession) => Promise<{ result: HandlerResult; secrets: string[] }>;
}

const send = async (route: SessionRoute, token: string, proof: string | undefined, s: MintedSession) => ({
  result: await useSession(broker, route, token, proof),
  secrets: secretsOf(token, proof, s.token),
});
/** The session presented as issued, with `proof`. */
const withProof = (route: SessionRoute, s: MintedSession, proof: string | undefined) => send(route, s.token, proof, s);
/** Another token presented with a proof that is right for it. */
const presenting = async (route: SessionRoute, s: MintedSession, token: string) => send(route, token, await proofFor(s.key, route, { session: token }), s);
const otherRoute = (route: SessionRoute): SessionRoute => (route === '/token' ? '/roles' : '/token');

const rows: Row[] = [
  { name: 'valid: the session with a proof by its key, for this endpoint, with ath', act: async (route, s) => withProof(route, s, await proofFor(s.key, route, { session: s.token })) },
  // DPoP (RFC 9449 §7): a session without its key is worth nothing.
  { name: 'used without a DPoP proof', code: 'DPOP_INVALID', act: (route, s) => withProof(route, s, undefined) },
  { name: 'proof without ath', code: 'DPOP_INVALID', act: async (route, s) => withProof(route, s, await proofFor(s.key, route)) },
  {
    name: 'ath of another session token',
    code: 'DPOP_INVALID',
    act: async (route, s) => withProof(route, s, await proofFor(s.key, route, { session: (await mintSession(broker, 'oidc', s.key)).token })),
  },
  { name: 'proof by another key (a stolen session token)', code: 'DPOP_INVALID', act: async (route, s) => withProof(route, s, await proofFor(await dpopKey(), route, { session: s.token })) },
  { name: 'proof for another endpoint (htu)', code: 'DPOP_INVALID', act: async (route, s) => withProof(route, s, await proofFor(s.key, otherRoute(route), { session: s.token })) },
  { name: 'proof for another method (htm GET)', code: 'DPOP_INVALID', act: async (route, s) => withProof(route, s, await proofFor(s.key, route, { method: 'GET', session: s.token })) },
  { name: 'proof 5 minutes old (stale iat)', code: 'DPOP_INVALID', act: async (route, s) => withProof(route, s, await later(-300, () => proofFor(s.key, route, { session: s.token }))) },
  {
    name: 'proof replayed (its jti already spent)',
    code: 'DPOP_INVALID',
    act: async (route, s) => {
      const proof = await proofFor(s.key, route, { session: s.token });
      expect((await withProof(route, s, proof)).result.statusCode).toBe(200);
      broker.resetSts();
      return withProof(route, s, proof);
    },
  },
  // The session token: sealed by this broker, recorded, unrevoked, unexpired.
  { name: 'session token tampered', code: 'SESSION_INVALID', act: (route, s) => presenting(route, s, flipped(s.token)) },
  { name: 'session sealed for another broker (same secret, other baseUrl)', code: 'SESSION_INVALID', act: (route, s) => presenting(route, s, resealed(s.token, (t) => ({ ...t, iss: 'https://broker.other-stage.example.com' }))) },
  { name: 'session not recorded in the table (unknown id)', code: 'SESSION_INVALID', act: (route, s) => presenting(route, s, resealed(s.token, (t) => ({ ...t, sid: randomBytes(16).toString('base64url') }))) },
  {
    name: 'an authorization code presented as a session (purpose confusion)',
    code: 'SESSION_INVALID',
    act: async (route, s) => presenting(route, s, (await loopbackSignIn(broker)).code),
  },
  {
    name: 'session revoked (POST /cli/revoke)',
    code: 'SESSION_REVOKED',
    act: async (route, s) => {
      expect((await cliCall(broker, '/cli/revoke', { token: s.token })).statusCode).toBe(200);
      return withProof(route, s, await proofFor(s.key, route, { session: s.token }));
    },
  },
  { name: 'session expired (its hour is over)', code: 'SESSION_EXPIRED', act: (route, s) => later(3601, async () => withProof(route, s, await proofFor(s.key, route, { session: s.token }))) },
];

describe.each(['/token', '/roles', '/cli/console'] as const)('a broker session on POST %s', (route) => {
  it.each(rows)('$name', async (row) => {
    const session = await mintSession(broker);
    broker.resetSts();
    const { result, secrets } = await row.act(route, session);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(broker.stsCalls()).toBe(route === '/roles' ? 0 : 1);
      if (route === '/token') expect(carriesCredentials(result)).toBe(true);
      expectNoSecretLeaked(broker, result, secrets);
      return;
    }
    expectCliRefusal(broker, result, row.code, secrets);
    if (route !== '/cli/console') expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_request' });
    else if (row.code === 'DPOP_INVALID') expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_dpop_proof' });
  });
});

describe('POST /cli/revoke (RFC 7009)', () => {
  it.each([
    ['no token', {}],
    ['garbage', { token: 'not-a-session' }],
    ['a tampered session', { token: 'x'.repeat(40) }],
  ])('answers 200 whatever the token: %s', async (_name, fields: Record<string, string>) => {
    const result = await cliCall(broker, '/cli/revoke', fields);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({});
  });

  it('a session of another broker sharing the secret is not revoked by its look-alike', async () => {
    const session = await mintSession(broker);
    const lookAlike = resealed(session.token, (t) => ({ ...t, iss: 'https://broker.other-stage.example.com' }));
    expect((await cliCall(broker, '/cli/revoke', { token: lookAlike })).statusCode).toBe(200);
    const result = await useSession(broker, '/roles', session.token, await proofFor(session.key, '/roles', { session: session.token }));
    expect(result.statusCode).toBe(200);
  });
});

describe('audit: one record per session created, used, refused and revoked — its id, never the token', () => {
  it('names the session in each record', async () => {
    const lines = (): Array<Record<string, unknown>> => auditRecords(broker.capture?.lines() ?? []);
    const session = await mintSession(broker);
    const used = await useSession(broker, '/token', session.token, await proofFor(session.key, '/token', { session: session.token }));
    expect(used.statusCode).toBe(200);
    await cliCall(broker, '/cli/revoke', { token: session.token });
    const refused = await useSession(broker, '/token', session.token, await proofFor(session.key, '/token', { session: session.token }));
    expect(refused.statusCode).toBe(400);
    const mine = lines().filter((r) => r.sessionId === session.id);
    expect(mine.map((r) => [r.route, r.decision, r.code])).toEqual([
      ['/cli/token', 'grant', 'SESSION_CREATED'],
      ['/token', 'grant', undefined],
      ['/cli/revoke', 'grant', 'SESSION_REVOKED'],
      ['/token', 'deny', 'SESSION_REVOKED'],
    ]);
    expect(mine[1]).toMatchObject({ durationBoundBy: 'cli-session', accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(broker.capture?.text()).not.toContain(session.token);
  });
});
