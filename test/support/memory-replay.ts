// The replay store's contract in memory, for tests that need single use without DynamoDB.

import { BrokerError } from '../../shared/errors.ts';
import { expiryMillis, type ReplayStore } from '../../shared/stores/replay.ts';

const TTL_MARGIN_SECONDS = 300;

export const createMemoryReplayStore = (now: () => number = Date.now): ReplayStore & { readonly size: () => number } => {
  const seen = new Map<string, number>();
  return {
    claimOnce: async (key, expiresAt) => {
      const expires = expiryMillis(expiresAt);
      const t = now();
      for (const [k, until] of seen) if (until < t) seen.delete(k);
      if (seen.has(key)) throw new BrokerError('REPLAY_DETECTED', 'already used');
      seen.set(key, expires + TTL_MARGIN_SECONDS * 1000);
    },
    size: () => seen.size,
  };
};
