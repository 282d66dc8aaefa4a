// POST /cli/token: the token endpoint of the broker's own CLI, for the authorization code grant (RFC 6749 §4.1.3 with
// PKCE) and the device code grant (RFC 8628 §3.4). Both require a DPoP proof (RFC 9449): the session they create is
// bound to the proof's key. Checks run cheapest first; a code or device code is spent exactly once.

import { auditRecord, type AuditSink } from '../audit/audit.ts';
import { BrokerError, type ErrorCode } from '../errors.ts';
import type { VerifiedIdentity } from '../identity/verified-identity.ts';
import { verifierMatches } from '../oauth/pkce.ts';
import type { RequestContext } from '../request.ts';
import type { CliStore } from '../stores/cli-store.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { Sealer } from '../stores/seal.ts';
import { deviceIdOf } from './cli-device.ts';
import type { Sessions, IssuedSession } from './cli-session.ts';
import { CLI_CLIENT_ID, CODE_SECONDS, type AuthorizationCode } from './cli-sign-in.ts';

export const GRANT_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

export interface TokenParams {
  readonly grant_type?: string | undefined;
  readonly client_id?: string | undefined;
  readonly code?: string | undefined;
  readonly redirect_uri?: string | undefined;
  readonly code_verifier?: string | undefined;
  readonly device_code?: string | undefined;
}

export interface CliTokenDeps {
  readonly endpoint: string;
  readonly codes: Sealer<AuthorizationCode>;
  readonly deviceIdentities: Sealer<VerifiedIdentity>;
  readonly sessions: Sessions;
  readonly store: CliStore;
  readonly replay: ReplayStore;
  readonly audit: AuditSink;
}

const invalidGrant = (why: string, cause?: unknown): BrokerError => new BrokerError('INVALID_GRANT', why, cause === undefined ? undefined : { cause });

export const createCliToken = (deps: CliTokenDeps) => {
  /** The identity an authorization code stands for: sealed by us, for this redirect URI and this verifier, once. */
  const redeemCode = async (params: TokenParams, now: Date): Promise<VerifiedIdentity> => {
    if (!params.code) throw invalidGrant('no code');
    let code: AuthorizationCode;
    try {
      code = deps.codes.open(params.code, now);
    } catch (error) {
      throw invalidGrant('the code is not one of ours or has expired', error);
    }
    // A code delivered to one listener cannot be redeemed by a client that claims another.
    if (params.redirect_uri !== code.redirectUri) throw invalidGrant('redirect_uri differs from the authorization request');
    // PKCE: only the client that made the challenge knows the verifier (an intercepted code is useless).
    if (!verifierMatches(params.code_verifier, code.codeChallenge)) throw invalidGrant('code_verifier does not match the code challenge');
    try {
      await deps.replay.claimOnce(`cli-code:${code.id}`, new Date(now.getTime() + 2 * CODE_SECONDS * 1000));
    } catch (error) {
      // Code reuse (RFC 6749 §4.1.2): the second redemption gets nothing.
      if (error instanceof BrokerError && error.code === 'REPLAY_DETECTED') throw invalidGrant('the code was already used', error);
      throw error;
    }
    return code.identity;
  };

  /** The identity of an approved device authorization, collected once, at the pace the CLI was given. */
  const redeemDevice = async (params: TokenParams, now: Date): Promise<VerifiedIdentity> => {
    if (!params.device_code) throw invalidGrant('no device_code');
    const id = deviceIdOf(params.device_code);
    const polled = await deps.store.pollDevice(id, now);
    if (polled.kind === 'unknown') throw invalidGrant('unknown device_code');
    const { record } = polled;
    if (record.expiresAt.getTime() <= now.getTime()) throw new BrokerError('EXPIRED_TOKEN', 'the device code has expired');
    if (polled.kind === 'slow-down') throw new BrokerError('SLOW_DOWN', `polled sooner than every ${record.interval - 5} s`);
    const byStatus: Record<Exclude<typeof record.status, 'approved'>, ErrorCode> = { pending: 'AUTHORIZATION_PENDING', denied: 'ACCESS_DENIED', used: 'INVALID_GRANT' };
    if (record.status !== 'approved') throw new BrokerError(byStatus[record.status], `device authorization is ${record.status}`);
    // Exchanged once: of two racing polls, only the one whose conditional write lands gets the session.
    if (!record.identity || !(await deps.store.consumeDevice(id))) throw invalidGrant('the device code was already exchanged');
    try {
      return deps.deviceIdentities.open(record.identity, now);
    } catch (error) {
      throw invalidGrant('the approved identity cannot be read', error);
    }
  };

  /** POST /cli/token: the grant checked, then a session bound to the proof's key. */
  return async (params: TokenParams, proof: string | undefined, ctx: RequestContext, now: Date): Promise<IssuedSession> => {
    const grant = params.grant_type;
    try {
      if (grant !== GRANT_AUTHORIZATION_CODE && grant !== GRANT_DEVICE_CODE) throw new BrokerError('UNSUPPORTED_GRANT_TYPE', `grant_type ${String(grant).slice(0, 60)}`);
      if (params.client_id !== CLI_CLIENT_ID) throw new BrokerError('INVALID_CLIENT', 'client_id is not fbroker');
      // The proof before the grant: a code or device code must never be spent by a request that cannot bind a session.
      const verified = await deps.sessions.proven(proof, { method: 'POST', url: deps.endpoint }, now);
      const identity = grant === GRANT_AUTHORIZATION_CODE ? await redeemCode(params, now) : await redeemDevice(params, now);
      return await deps.sessions.create(identity, verified, ctx, now);
    } catch (error) {
      // Polling answers are not refusals worth a record each; everything else is.
      if (error instanceof BrokerError && error.code !== 'AUTHORIZATION_PENDING' && error.code !== 'SLOW_DOWN') {
        deps.audit({ ...auditRecord('/cli/token', ctx, now), decision: error.status < 500 ? 'deny' : 'error', code: error.code });
      }
      throw error;
    }
  };
};

export type CliToken = ReturnType<typeof createCliToken>;
