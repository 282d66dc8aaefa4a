// Sampling for the bench: subjects interleaved in short blocks (so that a noisy moment on a 2-core machine hits
// every subject alike), one time per call, summarised as median with min–max.

import { writeSync } from 'node:fs';

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p90: number;
}

export const summarise = (samples: readonly number[]): Summary => {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => {
    const i = q * (sorted.length - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
  };
  return { n: sorted.length, median: at(0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, p90: at(0.9) };
};

export interface Subject {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

export interface SamplingPlan {
  /** Calls per subject before measuring (JIT, caches, connection set-up). */
  readonly warmup: number;
  /** Measured calls per subject. */
  readonly samples: number;
  /** Calls per subject in a row before moving to the next subject. */
  readonly block: number;
}

/** Times every call of every subject (ms), blocks alternating between subjects, the order reversed every round. */
export const sampleInterleaved = async (subjects: readonly Subject[], plan: SamplingPlan): Promise<Record<string, number[]>> => {
  for (const subject of subjects) for (let i = 0; i < plan.warmup; i++) await subject.run();
  const times: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  for (let round = 0; times[subjects[0]!.name]!.length < plan.samples; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      const out = times[subject.name]!;
      for (let i = 0; i < plan.block && out.length < plan.samples; i++) {
        const start = performance.now();
        await subject.run();
        out.push(performance.now() - start);
      }
    }
  }
  return times;
};

/** Workers report on fd 3 (their stdout is the handlers' log stream, sent to /dev/null by the bench). */
export const report = (value: unknown): void => {
  writeSync(3, `${JSON.stringify(value)}\n`);
};
