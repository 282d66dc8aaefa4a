// Bounded retries with full jitter for calls to AWS: a fixed number of attempts inside a time budget.
// Which failures are worth a retry is decided by the caller's classifier.

export type FailureKind = 'transient' | 'refused';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No new attempt starts once this much time has passed since the first. */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 5000 };

export interface RetryDeps {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `call` until it succeeds, fails with a refusal, or attempts/budget run out; the last error is thrown. */
export const withRetries = async <T>(
  call: () => Promise<T>,
  classify: (error: unknown) => FailureKind,
  policy: RetryPolicy = DEFAULT_RETRY,
  deps: RetryDeps = {},
): Promise<T> => {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (classify(error) === 'refused' || attempt >= policy.maxAttempts) throw error;
      const delay = Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
      if (now() - started + delay >= policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
};
