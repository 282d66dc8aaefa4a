// Single-use records (SAML assertion IDs, JWT `jti`s, SAML request IDs, role-picker tickets) shared by every
// instance. `claimOnce` succeeds for the first caller only; it fails closed when the store cannot answer.

export interface ReplayStore {
  /**
   * Records `key` until `expiresAt`. Rejects with BrokerError REPLAY_DETECTED when the key is already recorded,
   * and with REPLAY_STORE_UNAVAILABLE when the store cannot be reached (never "probably fine").
   */
  claimOnce(key: string, expiresAt: Date): Promise<void>;
}
