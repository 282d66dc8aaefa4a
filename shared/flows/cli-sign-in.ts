// The CLI half of browser sign-in (docs/cli.md): a person signs in through a provider's own browser flow on behalf of
// `fbroker`, started by an authorization request (loopback redirect) or a confirmed device code. When the IdP has
// answered, the rules are asked whether this identity may have any role at all; then either an authorization code goes
// back to the CLI's loopback listener, or the device authorization is approved for the CLI polling for it.

import { randomBytes } from 'node:crypto';
import { auditRecord, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { claimsToCarry } from '../identity/used-claims.ts';
import { reviveIdentity, type VerifiedIdentity } from '../identity/verified-identity.ts';
import { withResponseParams } from '../oauth/loopback.ts';
import type { RequestContext } from '../request.ts';
import type { CliStore } from '../stores/cli-store.ts';
import type { Sealer } from '../stores/seal.ts';
import { decideFor } from './decide.ts';

/** The fixed public client of RFC 8252: the broker's own CLI. */
export const CLI_CLIENT_ID = 'fbroker';
/** An authorization code lives at most this long (RFC 6749 §4.1.2 recommends 10 minutes at most). */
export const CODE_SECONDS = 60;

/** What a browser sign-in started for the CLI carries through the provider's flow (sealed in its flow value). */
export type CliSignInRequest =
  | { readonly kind: 'authorize'; readonly redirectUri: string; readonly state: string; readonly codeChallenge: string }
  | { readonly kind: 'device'; readonly deviceId: string; readonly userCode: string };

/** The sealed authorization code: who signed in, for which loopback URI and code challenge. */
export interface AuthorizationCode {
  readonly id: string;
  readonly identity: VerifiedIdentity;
  readonly redirectUri: string;
  readonly codeChallenge: string;
}

/** Where a CLI sign-in ends in the browser. */
export type CliSignInOutcome =
  | { readonly kind: 'cli-redirect'; readonly url: string }
  | { readonly kind: 'cli-device-approved'; readonly userCode: string }
  | { readonly kind: 'cli-device-denied'; readonly userCode: string };

export interface CliSignInDeps {
  readonly config: BrokerConfig;
  readonly codes: Sealer<AuthorizationCode>;
  /** Seals the identity kept in an approved device authorization until the CLI collects it. */
  readonly deviceIdentities: Sealer<VerifiedIdentity>;
  readonly store: CliStore;
  readonly audit: AuditSink;
}

export const createCliSignIn = (deps: CliSignInDeps) => {
  const iss = deps.config.broker.baseUrl;

  /** After the provider's ACS or callback, for a sign-in the CLI started. */
  const complete = async (identity: VerifiedIdentity, request: CliSignInRequest, ctx: RequestContext, now: Date): Promise<CliSignInOutcome> => {
    const decision = decideFor(deps.config, { identity, ctx, now });
    const route = request.kind === 'authorize' ? '/cli/authorize' : '/cli/device';
    if (decision.outcome === 'deny') {
      // An identity no rule grants anything gets no session: there would be nothing to exchange it for.
      deps.audit({ ...auditRecord(route, ctx, now, { identity, decision }), code: decision.code });
      if (request.kind === 'device') {
        await deps.store.settleDevice(request.deviceId, { status: 'denied' });
        return { kind: 'cli-device-denied', userCode: request.userCode };
      }
      return { kind: 'cli-redirect', url: withResponseParams(request.redirectUri, { error: 'access_denied', state: request.state, iss }) };
    }
    // Only the claims a decision on this config can read travel on (in the code, the device record, the session).
    const carried: VerifiedIdentity = { ...identity, rawClaims: claimsToCarry(deps.config, identity.providerId, identity.rawClaims) };
    deps.audit({ ...auditRecord(route, ctx, now, { identity, decision }), decision: 'grant', code: 'CLI_SIGN_IN' });
    if (request.kind === 'device') {
      const sealed = deps.deviceIdentities.seal(carried, new Date(now.getTime() + 3600_000));
      // Settled once: a second sign-in for the same code (two tabs) cannot replace the first identity.
      if (!(await deps.store.settleDevice(request.deviceId, { status: 'approved', identity: sealed }))) return { kind: 'cli-device-denied', userCode: request.userCode };
      return { kind: 'cli-device-approved', userCode: request.userCode };
    }
    const code = deps.codes.seal(
      { id: randomBytes(16).toString('base64url'), identity: carried, redirectUri: request.redirectUri, codeChallenge: request.codeChallenge },
      new Date(now.getTime() + CODE_SECONDS * 1000),
    );
    return { kind: 'cli-redirect', url: withResponseParams(request.redirectUri, { code, state: request.state, iss }) };
  };

  return { complete };
};

export type CliSignIn = ReturnType<typeof createCliSignIn>;

/** What the SAML and OIDC sign-in flows need to continue a CLI request. */
export interface CliSignInSupport {
  /** Opens the sealed CLI request the browser carries from /cli/authorize or /cli/device/confirm. */
  readonly requests: Sealer<CliSignInRequest>;
  readonly signIn: CliSignIn;
}

/**
 * The CLI request a provider's login continues: only when the login URL says so (`cli=1`) and this browser holds the
 * sealed request — a link to the provider step alone (the device confirmation skipped) is refused.
 */
export const cliRequestOf = (support: CliSignInSupport | undefined, login: { readonly cli?: string | undefined; readonly sealedCliRequest?: string | undefined; readonly now: Date }): CliSignInRequest | undefined => {
  if (login.cli === undefined) return undefined;
  if (!support) throw new BrokerError('NOT_FOUND', 'CLI sign-in is not enabled');
  if (login.cli !== '1' || !login.sealedCliRequest) throw new BrokerError('FLOW_INVALID', 'the CLI sign-in did not start in this browser');
  return support.requests.open(login.sealedCliRequest, login.now);
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A CLI sign-in request read back from a sealed value. */
export const parseCliSignInRequest = (value: unknown): CliSignInRequest | undefined => {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'authorize' && typeof value.redirectUri === 'string' && typeof value.state === 'string' && typeof value.codeChallenge === 'string') {
    return { kind: 'authorize', redirectUri: value.redirectUri, state: value.state, codeChallenge: value.codeChallenge };
  }
  if (value.kind === 'device' && typeof value.deviceId === 'string' && typeof value.userCode === 'string') return { kind: 'device', deviceId: value.deviceId, userCode: value.userCode };
  return undefined;
};

export const parseAuthorizationCode = (value: unknown): AuthorizationCode | undefined => {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.redirectUri !== 'string' || typeof value.codeChallenge !== 'string') return undefined;
  const identity = reviveIdentity(value.identity);
  return identity && { id: value.id, identity, redirectUri: value.redirectUri, codeChallenge: value.codeChallenge };
};
