// What CLI sign-in keeps in the broker's table: broker sessions (so that they can be listed and revoked), device
// authorizations between the CLI's request and the person's sign-in, and counters of wrong user codes. The DynamoDB
// adapter implements it (dynamo-cli-store.ts); every failure to reach the table fails closed.

export interface SessionRecord {
  readonly id: string;
  readonly provider: string;
  readonly subject: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revoked: boolean;
}

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'used';

export interface DeviceRecord {
  /** SHA-256 of the device code (the code itself is never stored). */
  readonly id: string;
  readonly userCode: string;
  /** The provider the CLI asked for, if any. */
  readonly provider?: string | undefined;
  readonly status: DeviceStatus;
  readonly expiresAt: Date;
  /** Seconds the CLI must wait between polls (grows by 5 with every slow_down). */
  readonly interval: number;
  /** Epoch ms of the last poll. */
  readonly lastPollAt?: number | undefined;
  /** The signed-in identity, sealed, once approved. */
  readonly identity?: string | undefined;
}

export type PollResult = { readonly kind: 'ok'; readonly record: DeviceRecord } | { readonly kind: 'slow-down'; readonly record: DeviceRecord } | { readonly kind: 'unknown' };

export interface CliStore {
  putSession(record: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Marks the session revoked; false when there is no such session. */
  revokeSession(id: string): Promise<boolean>;
  /** Every recorded session of a subject (of one provider, or of all). */
  sessionsOf(subject: string, provider?: string): Promise<SessionRecord[]>;

  /** Records a new device authorization and its user code; false when the user code is taken (draw another). */
  putDevice(record: DeviceRecord, now: Date): Promise<boolean>;
  deviceByUserCode(userCode: string): Promise<DeviceRecord | undefined>;
  /** Settles a pending authorization once: approved with the sealed identity, or denied. False if it was not pending. */
  settleDevice(id: string, outcome: { readonly status: 'approved'; readonly identity: string } | { readonly status: 'denied' }): Promise<boolean>;
  /** One poll of the CLI: slow-down when it comes sooner than the interval allows (the interval then grows by 5 s). */
  pollDevice(id: string, now: Date): Promise<PollResult>;
  /** Spends an approved authorization once; false when it was not approved (or already spent). */
  consumeDevice(id: string): Promise<boolean>;

  /** Adds one failure to the counter `key` (kept until `until`) and returns the new count. */
  countFailure(key: string, until: Date): Promise<number>;
  failures(key: string): Promise<number>;
}
