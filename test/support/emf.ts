// The CloudWatch embedded metric format (EMF), checked as its specification describes the document: a root object
// whose `_aws` metadata has a numeric Timestamp and a CloudWatchMetrics array of metric directives (Namespace,
// Dimensions as arrays of at most 30 keys, Metrics as at most 100 definitions with a Name, an optional Unit from
// CloudWatch's list and an optional StorageResolution of 1 or 60); every dimension key a directive names is a string
// member of the root, every metric name a number or an array of at most 100 numbers. Returns the problems found.

const UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits',
  'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 1024;

export interface EmfDirective {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: Array<{ Name: string; Unit?: string; StorageResolution?: number }>;
}

export type EmfDocument = Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] } };

export const emfProblems = (line: string): string[] => {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!isRecord(doc)) return ['the root is not an object'];
  const meta = doc._aws;
  if (!isRecord(meta)) return ['no _aws metadata object'];
  if (typeof meta.Timestamp !== 'number' || !Number.isInteger(meta.Timestamp) || meta.Timestamp < 0) problems.push('_aws.Timestamp is not a non-negative integer (ms since the epoch)');
  if (!Array.isArray(meta.CloudWatchMetrics) || meta.CloudWatchMetrics.length === 0) return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const [i, directive] of meta.CloudWatchMetrics.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isRecord(directive)) {
      problems.push(`${at} is not an object`);
      continue;
    }
    if (!isName(directive.Namespace)) problems.push(`${at}.Namespace is not a string of 1–1024 characters`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions is not an array`);
    else {
      for (const set of directive.Dimensions as unknown[]) {
        if (!Array.isArray(set) || set.length > 30 || !set.every(isName)) {
          problems.push(`${at}: a dimension set is not an array of at most 30 keys`);
          continue;
        }
        for (const key of set) if (!isName(doc[key])) problems.push(`${at}: dimension ${key} has no string value at the root`);
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) problems.push(`${at}.Metrics is not an array of at most 100 definitions`);
    else {
      for (const metric of directive.Metrics as unknown[]) {
        if (!isRecord(metric) || !isName(metric.Name)) {
          problems.push(`${at}: a metric definition has no Name`);
          continue;
        }
        if (metric.Unit !== undefined && !UNITS.has(String(metric.Unit))) problems.push(`${metric.Name}: unit ${String(metric.Unit)} is not a CloudWatch unit`);
        if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) problems.push(`${metric.Name}: StorageResolution is neither 1 nor 60`);
        const value = doc[metric.Name];
        const values = Array.isArray(value) ? value : [value];
        if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) problems.push(`${metric.Name}: the value is not a number or an array of at most 100 numbers`);
      }
    }
  }
  return problems;
};

/** The EMF documents among captured output lines (lines with `_aws`). */
export const emfDocuments = (lines: readonly string[]): EmfDocument[] =>
  lines.flatMap((line) => {
    try {
      const doc = JSON.parse(line) as Record<string, unknown>;
      return isRecord(doc._aws) ? [doc as EmfDocument] : [];
    } catch {
      return [];
    }
  });

/** One published series: metric name, dimension set (keys=values, sorted) and the values of this document. */
export interface EmfSeries {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

export const emfSeries = (docs: readonly EmfDocument[]): EmfSeries[] =>
  docs.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((d) =>
      d.Dimensions.flatMap((set) =>
        d.Metrics.map((m) => {
          const value = doc[m.Name];
          return { name: m.Name, dimensions: Object.fromEntries(set.map((k) => [k, String(doc[k])])), values: (Array.isArray(value) ? value : [value]) as number[] };
        }),
      ),
    ),
  );

/** The sum of a metric over the documents, in the series with exactly these dimensions. */
export const emfSum = (docs: readonly EmfDocument[], name: string, dimensions: Readonly<Record<string, string>>): number =>
  emfSeries(docs)
    .filter((s) => s.name === name && JSON.stringify(Object.entries(s.dimensions).sort()) === JSON.stringify(Object.entries(dimensions).sort()))
    .reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
