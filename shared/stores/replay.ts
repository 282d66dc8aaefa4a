// Single-use records (SAML assertion IDs, JWT `jti`s, SAML request IDs, role-picker tickets) shared by every
// instance. `claimOnce` succeeds for the first caller only; it fails closed when the store cannot answer.

import { BrokerError } from '../errors.ts';

export interface ReplayStore {
  /**
   * Records `key` until `expiresAt`. Rejects with BrokerError REPLAY_DETECTED when the key is already recorded,
   * with REPLAY_STORE_UNAVAILABLE when the store cannot be reached (never "probably fine"), and with
   * TOKEN_INVALID when `expiresAt` is not a date between 1970 and 9999 (see expiryMillis).
   */
  claimOnce(key: string, expiresAt: Date): Promise<void>;
}

/** 9999-12-31T23:59:59Z: no record needs to outlive the last date an identity proof can name. */
const MAX_EXPIRY_MS = 253_402_300_799_000;

/**
 * The expiry of a record in epoch milliseconds. Defence in depth: the identity-proof checks bound every date they
 * pass on, so a non-finite or absurd expiry here is a malformed proof that slipped through, refused as one (400)
 * rather than sent to the table, which would refuse it as a ValidationException (a 503 and an operator alarm).
 */
export const expiryMillis = (expiresAt: Date): number => {
  const ms = expiresAt.getTime();
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EXPIRY_MS) throw new BrokerError('TOKEN_INVALID', 'the replay record expiry is not a real date');
  return ms;
};
