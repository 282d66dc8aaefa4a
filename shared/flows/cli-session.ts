// Broker sessions of CLI sign-in (docs/cli.md): a sealed, opaque token carrying the sign-in's identity, bound to the
// CLI's DPoP key (`cnf.jkt`, RFC 9449), recorded in the broker's table so that it can be listed and revoked. Every use
// presents a fresh DPoP proof by that key with `ath` = the token's hash; the table is asked last, after every check
// that costs nothing, and the two table calls of a use (the proof's `jti` spent, the session read) run together.

import { randomBytes } from 'node:crypto';
import { auditRecord, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { reviveIdentity, type VerifiedIdentity } from '../identity/verified-identity.ts';
import { createDpopKeys, verifyDpopProof, type VerifiedProof } from '../oauth/dpop.ts';
import type { RequestContext } from '../request.ts';
import type { CliStore, SessionRecord } from '../stores/cli-store.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { Sealer } from '../stores/seal.ts';
import { rfc3339 } from '../time.ts';

export const SESSION_TOKEN_TYPE = 'urn:federation-broker:token-type:session';
/** A session token stays readable this long after its end, so that it is refused as expired (and can be revoked). */
const READABLE_AFTER_END_MS = 7 * 24 * 3600_000;

/** What the sealed session token carries. */
export interface SessionToken {
  /** The broker that issued it (its baseUrl): a token of another broker sharing a secret is still refused. */
  readonly iss: string;
  readonly sid: string;
  readonly identity: VerifiedIdentity;
  /** Epoch ms. */
  readonly signInAt: number;
  readonly exp: number;
  /** RFC 7638 thumbprint of the CLI's DPoP key. */
  readonly jkt: string;
}

/** What POST /cli/token answers with (RFC 6749 §5.1, RFC 9449 token_type DPoP). */
export interface IssuedSession {
  readonly access_token: string;
  readonly token_type: 'DPoP';
  readonly expires_in: number;
  readonly session: { readonly id: string; readonly provider: string; readonly subject: string; readonly expiresAt: string };
}

/** The request a session is presented with: its DPoP proof, and the method and URL that proof must name. */
export interface Presented {
  readonly token: string;
  readonly proof: string | undefined;
  readonly method: string;
  readonly url: string;
}

export interface SessionDeps {
  readonly config: BrokerConfig;
  readonly tokens: Sealer<SessionToken>;
  readonly store: CliStore;
  readonly replay: ReplayStore;
  readonly audit: AuditSink;
}

/** The session's identity as the rules see it on each use: the sign-in's claims, bounded by the session's end. */
const identityOf = (token: SessionToken): VerifiedIdentity => ({ ...token.identity, session: { id: token.sid, end: token.exp } });

export const createSessions = (deps: SessionDeps) => {
  const { config } = deps;
  const sessionSeconds = config.broker.cli?.sessionSeconds ?? 28_800;
  // The CLIs' public keys, imported once each (a CLI signs every proof with the same key).
  const dpopKeys = createDpopKeys();

  const verified = (proof: string | undefined, request: { method: string; url: string; accessToken?: string }, now: Date): Promise<VerifiedProof> =>
    verifyDpopProof(proof, { ...request, now, clockSkewSeconds: config.broker.clockSkewSeconds }, dpopKeys);

  /** Spends a verified proof's `jti` once: a replayed proof is refused, not just stale ones. */
  const spend = async (proof: VerifiedProof): Promise<void> => {
    try {
      await deps.replay.claimOnce(`dpop:${proof.jkt}:${proof.jti}`, proof.freshUntil);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'REPLAY_DETECTED') throw new BrokerError('DPOP_INVALID', 'DPoP proof jti already used', { cause: error });
      throw error;
    }
  };

  /** A DPoP proof for this request, its `jti` spent once. */
  const proven = async (proof: string | undefined, request: { method: string; url: string; accessToken?: string }, now: Date): Promise<VerifiedProof> => {
    const checked = await verified(proof, request, now);
    await spend(checked);
    return checked;
  };

  /** A new session for a signed-in identity, bound to the key of the token request's proof. */
  const create = async (identity: VerifiedIdentity, proof: VerifiedProof, ctx: RequestContext, now: Date): Promise<IssuedSession> => {
    const end = Math.min(now.getTime() + sessionSeconds * 1000, identity.idpSessionEnd ?? Number.POSITIVE_INFINITY);
    // An IdP session that is already over cannot start a broker session.
    if (end <= now.getTime()) throw new BrokerError('ACCESS_DENIED', "the IdP's session has ended");
    const sid = randomBytes(16).toString('base64url');
    const token: SessionToken = { iss: config.broker.baseUrl, sid, identity: { ...identity, session: undefined }, signInAt: now.getTime(), exp: end, jkt: proof.jkt };
    await deps.store.putSession({ id: sid, provider: identity.providerId, subject: identity.subject, createdAt: now, expiresAt: new Date(end), revoked: false });
    deps.audit({ ...auditRecord('/cli/token', ctx, now, { identity }), decision: 'grant', code: 'SESSION_CREATED', sessionId: sid, expiration: rfc3339(new Date(end)) });
    return {
      access_token: deps.tokens.seal(token, new Date(end + READABLE_AFTER_END_MS)),
      token_type: 'DPoP',
      expires_in: Math.floor((end - now.getTime()) / 1000),
      session: { id: sid, provider: identity.providerId, subject: identity.subject, expiresAt: rfc3339(new Date(end)) },
    };
  };

  /**
   * The identity of a presented session: the token opens (and is this broker's), has not expired, the proof is by its
   * key and for this request and token, and the table still knows it unrevoked. `seen` learns the session id as soon
   * as it is known, for the audit record of a refusal.
   */
  const open = async (presented: Presented, now: Date, seen: { sessionId?: string } = {}): Promise<VerifiedIdentity> => {
    // Tampered, truncated, of another purpose or another sealing secret: SESSION_INVALID (the sealer's code).
    const token = deps.tokens.open(presented.token, now);
    seen.sessionId = token.sid;
    // A token sealed by another broker that shares the secret (a copied stage config) is not ours.
    if (token.iss !== config.broker.baseUrl) throw new BrokerError('SESSION_INVALID', 'the session was issued by another broker');
    if (token.exp <= now.getTime()) throw new BrokerError('SESSION_EXPIRED', 'the session has expired');
    // Stolen token: without the private key it was bound to, no proof verifies with that key's thumbprint.
    const proof = await verified(presented.proof, { method: presented.method, url: presented.url, accessToken: presented.token }, now);
    if (proof.jkt !== token.jkt) throw new BrokerError('DPOP_INVALID', 'the proof is not by the key the session is bound to');
    // Both table calls at once (one round trip instead of two); a spent jti is refused before the record is read.
    const [spent, read] = await Promise.allSettled([spend(proof), deps.store.getSession(token.sid)]);
    if (spent.status === 'rejected') throw spent.reason;
    if (read.status === 'rejected') throw read.reason;
    const record = read.value;
    if (!record) throw new BrokerError('SESSION_INVALID', 'the session is not recorded');
    // Revocation is read on every use (never cached): a revoked session is refused at once.
    if (record.revoked) throw new BrokerError('SESSION_REVOKED', 'the session was revoked');
    return identityOf(token);
  };

  /** POST /cli/revoke (RFC 7009): ends the session if the token is one; says nothing either way. */
  const revoke = async (presented: string | undefined, ctx: RequestContext, now: Date): Promise<void> => {
    if (presented === undefined) return;
    let token: SessionToken;
    try {
      token = deps.tokens.open(presented, now);
    } catch {
      return;
    }
    if (token.iss !== config.broker.baseUrl) return;
    if (await deps.store.revokeSession(token.sid)) {
      deps.audit({ ...auditRecord('/cli/revoke', ctx, now, { identity: token.identity }), decision: 'grant', code: 'SESSION_REVOKED', sessionId: token.sid });
    }
  };

  /** The operator's view (`npm run broker -- sessions`): recorded sessions of one subject, and revocation by id. */
  const list = (subject: string, provider?: string): Promise<SessionRecord[]> => deps.store.sessionsOf(subject, provider);

  return { proven, create, open, revoke, list };
};

export type Sessions = ReturnType<typeof createSessions>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const parseSessionToken = (value: unknown): SessionToken | undefined => {
  if (!isRecord(value)) return undefined;
  const { iss, sid, signInAt, exp, jkt } = value;
  if (typeof iss !== 'string' || typeof sid !== 'string' || typeof jkt !== 'string') return undefined;
  if (typeof signInAt !== 'number' || typeof exp !== 'number' || !Number.isFinite(signInAt) || !Number.isFinite(exp)) return undefined;
  const identity = reviveIdentity(value.identity);
  return identity && { iss, sid, identity, signInAt, exp, jkt };
};
