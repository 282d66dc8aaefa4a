// A closed-loop load runner: `concurrency` workers each send one request at a time until the deadline (or until
// their material runs out), recording latency and outcome. Outcomes are classified by the scenario; anything
// unexpected — a status the scenario does not expect, a network error — is an error.

export interface Outcome {
  /** What the scenario expected (200 for a grant, REPLAY_DETECTED for a replay…). */
  readonly ok: boolean;
  /** A short label: the HTTP status and the broker's error code, never a body. */
  readonly label: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Why the run ended before its deadline (material exhausted), if it did. */
  readonly endedEarly?: string;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN);

/** The stable code in a broker answer: JSON `code` for APIs, the error page's code for browser flows. */
export const codeOf = (body: string): string | undefined =>
  /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? /<dt>Error code<\/dt><dd><code>([A-Z_]+)<\/code>/.exec(body)?.[1];

export const send = async (url: string, body: URLSearchParams, timeoutMs = 30_000): Promise<{ status: number; body: string }> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text() };
};

export type Step = () => Promise<Outcome> | undefined;

/**
 * Runs `next()` from `concurrency` workers until `seconds` have passed; `next` returns undefined when its material
 * is used up, which ends that worker (and is reported).
 */
export const runClosedLoop = async (name: string, seconds: number, concurrency: number, next: Step): Promise<ScenarioResult> => {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let errors = 0;
  let endedEarly: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const pending = next();
      if (!pending) {
        endedEarly ??= `material used up after ${((t0 - started) / 1000).toFixed(1)} s`;
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await pending;
      } catch (error) {
        outcome = { ok: false, label: `network ${(error as Error).name}` };
      }
      latencies.push(performance.now() - t0);
      outcomes[outcome.label] = (outcomes[outcome.label] ?? 0) + 1;
      if (!outcome.ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    outcomes,
    ...(endedEarly ? { endedEarly } : {}),
  };
};
