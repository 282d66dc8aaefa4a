// Captures everything written to stdout and stderr (the Powertools logger writes JSON lines to stdout), so that
// a suite can assert that no secret ever reaches a log line.

export interface Capture {
  text(): string;
  lines(): string[];
  restore(): void;
}

export const captureOutput = (): Capture => {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const tap = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = tap as typeof process.stdout.write;
  process.stderr.write = tap as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
};

/** Audit records among captured log lines. */
export const auditRecords = (lines: readonly string[]): Array<Record<string, unknown>> =>
  lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as { message?: string; audit?: Record<string, unknown> };
      return parsed.message === 'audit' && parsed.audit ? [parsed.audit] : [];
    } catch {
      return [];
    }
  });
