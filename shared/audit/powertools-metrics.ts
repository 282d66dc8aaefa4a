// The CloudWatch writer of the metrics port: Powertools Metrics serialises each group of points in the embedded
// metric format (EMF), one JSON line on stdout, which CloudWatch Logs turns into metrics — no API call, nothing on the
// request's path but a write. Points are grouped by their dimension values and dimension sets, because every metric
// of an EMF line is published under every dimension set of that line.

import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRICS, type MetricPoint, type MetricsWriter } from './metrics.ts';

/** Same dimension sets and the same values of the dimensions they name: one EMF line. */
const groupKey = (point: MetricPoint): string => {
  const sets = METRICS[point.name].dimensions;
  let key = '';
  for (const set of sets) {
    key += ';';
    for (const name of set) key += `|${name}=${point.dimensions[name] ?? ''}`;
  }
  return key;
};

/**
 * `serviceName`: the `service` dimension of every metric (default: POWERTOOLS_SERVICE_NAME, which the template sets
 * to the stack name). `print`: where each EMF line goes (default stdout, as Powertools writes it).
 */
export const createEmfWriter = (options: { readonly serviceName?: string; readonly print?: (line: string) => void } = {}): MetricsWriter => {
  const emf = new PowertoolsMetrics({ namespace: METRIC_NAMESPACE, ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }) });
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  return (points) => {
    const groups = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const key = groupKey(point);
      const group = groups.get(key);
      if (group) group.push(point);
      else groups.set(key, [point]);
    }
    for (const group of groups.values()) {
      const [first] = group;
      if (!first) continue;
      try {
        for (const set of METRICS[first.name].dimensions) {
          emf.addDimensions(Object.fromEntries(set.map((name) => [name, first.dimensions[name] ?? 'none'])));
        }
        for (const point of group) emf.addMetric(point.name, METRICS[point.name].unit, point.value);
        print(JSON.stringify(emf.serializeMetrics()));
      } finally {
        emf.clearMetrics();
        emf.clearDimensions();
      }
    }
  };
};
