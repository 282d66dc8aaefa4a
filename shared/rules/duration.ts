// Duration negotiation (docs/rules.md, duration): the smallest bound wins, and the decision records which one.

import type { Issuance } from './types.ts';

export type DurationBound = 'requested' | 'default' | 'rule' | 'role' | 'role-chaining' | 'sts-maximum' | 'idp-session' | 'cli-session';

export const MIN_SESSION_SECONDS = 900;
export const ROLE_CHAINING_CAP = 3600;
export const STS_MAXIMUM = 43_200;

export interface DurationInput {
  readonly requestedSeconds?: number | undefined;
  readonly defaultSeconds: number;
  readonly ruleMaxSeconds?: number | undefined;
  readonly roleMaxSeconds: number;
  readonly issuance: Issuance;
  /** Seconds left before the IdP's session ends (SAML SessionNotOnOrAfter), when it says. */
  readonly idpSecondsLeft?: number | undefined;
  /** Seconds left of the broker session the request presents (CLI sign-in): credentials never outlive it. */
  readonly sessionSecondsLeft?: number | undefined;
}

export type DurationResult =
  | { readonly ok: true; readonly seconds: number; readonly boundBy: DurationBound }
  | { readonly ok: false; readonly code: 'SESSION_TOO_SHORT'; readonly seconds: number; readonly boundBy: DurationBound };

/** Ties go to the earlier bound in this order: what was asked for, then rule, role, issuance, IdP, broker session. */
export const negotiateDuration = (input: DurationInput): DurationResult => {
  const candidates: Array<[number | undefined, DurationBound]> = [
    input.requestedSeconds === undefined ? [input.defaultSeconds, 'default'] : [input.requestedSeconds, 'requested'],
    [input.ruleMaxSeconds, 'rule'],
    [input.roleMaxSeconds, 'role'],
    input.issuance === 'assume-role' ? [ROLE_CHAINING_CAP, 'role-chaining'] : [STS_MAXIMUM, 'sts-maximum'],
    [input.idpSecondsLeft === undefined ? undefined : Math.floor(input.idpSecondsLeft), 'idp-session'],
    [input.sessionSecondsLeft === undefined ? undefined : Math.floor(input.sessionSecondsLeft), 'cli-session'],
  ];
  let best: [number, DurationBound] | undefined;
  for (const [value, bound] of candidates) {
    if (value === undefined) continue;
    if (best === undefined || value < best[0]) best = [value, bound];
  }
  const [seconds, boundBy] = best ?? [input.defaultSeconds, 'default'];
  if (seconds < MIN_SESSION_SECONDS) return { ok: false, code: 'SESSION_TOO_SHORT', seconds, boundBy };
  return { ok: true, seconds, boundBy };
};
