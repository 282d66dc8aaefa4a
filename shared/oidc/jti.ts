// Optional single use of `jti` (provider.singleUseJti), shared by every instance through the replay store.
// Stops a captured ID token being exchanged again while it is still valid.

import { BrokerError } from '../errors.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { VerifiedToken } from './verify.ts';

export interface SingleUse {
  readonly providerId: string;
  readonly clockSkewSeconds: number;
  /** Undefined only where nothing is spent (`consume: false`). */
  readonly replay: ReplayStore | undefined;
  /** false for dry runs (`explain`): the jti is required but not recorded. */
  readonly consume: boolean;
}

export const spendJti = async (identity: VerifiedToken, use: SingleUse): Promise<void> => {
  // Stops a token without jti slipping past a provider that promised single use.
  if (identity.jti === undefined) throw new BrokerError('TOKEN_INVALID', 'this provider requires a jti');
  if (!use.consume) return;
  // Fails closed: a provider that promises single use never runs without the store.
  if (!use.replay) throw new BrokerError('INTERNAL', 'singleUseJti is set but no replay store was given');
  // Kept until the token can no longer be accepted anywhere: exp plus the clock skew we allow.
  await use.replay.claimOnce(`jti:${use.providerId}:${identity.jti}`, new Date(identity.expiresAt.getTime() + use.clockSkewSeconds * 1000));
};
