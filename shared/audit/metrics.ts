// The broker's metrics (docs/operations.md#metrics): a fixed namespace, a closed catalogue of metric names, and
// dimensions whose values come from closed sets only — the function, the stable error code, the configured provider
// ids, the STS operation, the kind of single-use record. A value outside its set is recorded as `other`: no subject,
// role ARN, source address or request id can ever become a dimension (CloudWatch bills and indexes every distinct
// combination, and a dimension is readable by anyone who can list metrics).
// This is the port: it normalises and buffers; a writer (powertools-metrics.ts, or the readable one of npm start)
// publishes the buffer once per invocation.

import type { StsCall } from '../issuance/sts.ts';
import type { AuditRecord } from './audit.ts';

export const METRIC_NAMESPACE = 'FederationBroker';

/** The functions of template.yaml, by their folder under functions/. */
export const FUNCTION_NAMES = ['web', 'token', 'roles', 'saml', 'oidc', 'session', 'cli', 'issuer'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type DimensionName = 'function' | 'code' | 'provider' | 'operation' | 'kind';
export type Dimensions = Readonly<Partial<Record<DimensionName, string>>>;

/**
 * Every metric, its unit, and the dimension sets it is published under (each also carries `service`). Requests are
 * not counted here: Lambda's own Invocations metric counts them, for free, and a successful request then writes no
 * line at all unless it issued something.
 */
export const METRICS = {
  /** Requests answered 4xx, by stable code. */
  Refusals: { unit: 'Count', dimensions: [[], ['code'], ['function']] },
  /** Requests answered 5xx (INTERNAL, *_UNAVAILABLE, CONFIG_INVALID), by stable code. */
  Failures: { unit: 'Count', dimensions: [[], ['code'], ['function']] },
  /** AWS credentials issued (POST /token, POST /session, POST /cli/console). */
  CredentialsIssued: { unit: 'Count', dimensions: [[], ['provider'], ['function']] },
  /** One STS call, retries included, from the first attempt to the answer. */
  StsLatency: { unit: 'Milliseconds', dimensions: [[], ['operation']] },
  /** STS attempts answered with throttling (retried or not). */
  StsThrottles: { unit: 'Count', dimensions: [[], ['operation']] },
  /** Fetches of an IdP's discovery document and JWKS. */
  IdpKeyFetches: { unit: 'Count', dimensions: [[], ['provider']] },
  IdpKeyFetchFailures: { unit: 'Count', dimensions: [[], ['provider']] },
  /** A single-use value presented a second time (SAML assertion, jti, DPoP proof, ticket, …), by kind. */
  ReplaysDetected: { unit: 'Count', dimensions: [[], ['kind']] },
  /** Broker sessions of CLI sign-in. */
  CliSessionsCreated: { unit: 'Count', dimensions: [[]] },
  CliSessionsUsed: { unit: 'Count', dimensions: [[]] },
  CliSessionsRevoked: { unit: 'Count', dimensions: [[]] },
} as const satisfies Record<string, { unit: 'Count' | 'Milliseconds'; dimensions: ReadonlyArray<readonly DimensionName[]> }>;

export type MetricName = keyof typeof METRICS;

export const STS_OPERATIONS = ['AssumeRole', 'AssumeRoleWithWebIdentity'] as const;
/** The kinds of single-use record (the prefix of a replay store key). */
export const REPLAY_KINDS = ['saml', 'jti', 'saml-request', 'oidc-flow', 'ticket', 'cli-code', 'dpop'] as const;
/** What a dimension value outside its closed set is recorded as. */
export const OTHER = 'other';

export interface MetricPoint {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions: Dimensions;
}

/** Publishes one invocation's points (EMF lines, readable lines, or nothing). */
export type MetricsWriter = (points: readonly MetricPoint[]) => void;

export interface Metrics {
  add(name: MetricName, value?: number, dimensions?: Dimensions): void;
  /** Writes what was added since the last flush; the handler calls it once per invocation. */
  flush(): void;
}

export interface MetricsOptions {
  readonly function: FunctionName;
  /** The closed sets the composition knows: the stable error codes, the configured provider ids. */
  readonly codes: readonly string[];
  readonly providers: readonly string[];
  readonly write: MetricsWriter;
}

export const createMetrics = (options: MetricsOptions): Metrics => {
  const allowed: Readonly<Record<DimensionName, ReadonlySet<string>>> = {
    function: new Set(FUNCTION_NAMES),
    code: new Set(options.codes),
    provider: new Set(options.providers),
    operation: new Set(STS_OPERATIONS),
    kind: new Set(REPLAY_KINDS),
  };
  const closed = (dimensions: Dimensions): Dimensions => {
    const out: Partial<Record<DimensionName, string>> = { function: options.function };
    for (const [name, value] of Object.entries(dimensions) as Array<[DimensionName, string | undefined]>) {
      if (value !== undefined && Object.hasOwn(allowed, name)) out[name] = allowed[name].has(value) ? value : OTHER;
    }
    return out;
  };
  let buffer: MetricPoint[] = [];
  return {
    add: (name, value = 1, dimensions = {}) => {
      if (Number.isFinite(value)) buffer.push({ name, value, dimensions: closed(dimensions) });
    },
    flush: () => {
      if (buffer.length === 0) return;
      const points = buffer;
      buffer = [];
      options.write(points);
    },
  };
};

/** Metrics that are off (unit tests, tools): nothing is kept. */
export const NO_METRICS: Metrics = { add: () => undefined, flush: () => undefined };

/** The metrics an audit record implies: credentials issued, broker sessions created, used and revoked. */
export const recordAuditMetrics = (metrics: Metrics, record: AuditRecord): void => {
  if (record.decision !== 'grant') return;
  if (record.accessKeyId !== undefined) {
    metrics.add('CredentialsIssued', 1, { provider: record.provider });
    if (record.sessionId !== undefined) metrics.add('CliSessionsUsed');
  }
  if (record.code === 'SESSION_CREATED') metrics.add('CliSessionsCreated');
  if (record.code === 'SESSION_REVOKED') metrics.add('CliSessionsRevoked');
};

/** One STS call: its latency, and its throttled attempts when there were any. */
export const recordStsCall = (metrics: Metrics, call: StsCall): void => {
  metrics.add('StsLatency', call.latencyMs, { operation: call.operation });
  if (call.throttles > 0) metrics.add('StsThrottles', call.throttles, { operation: call.operation });
};

/** One fetch of an IdP's discovery document and JWKS. */
export const recordKeyFetch = (metrics: Metrics, providerId: string, ok: boolean): void => {
  metrics.add('IdpKeyFetches', 1, { provider: providerId });
  if (!ok) metrics.add('IdpKeyFetchFailures', 1, { provider: providerId });
};

/** A readable line per point, for `npm start` (BROKER_METRICS=text): what would reach CloudWatch, without AWS. */
export const createTextWriter = (print: (line: string) => void): MetricsWriter => (points) => {
  for (const point of points) {
    const { function: fn, ...rest } = point.dimensions;
    const unit = METRICS[point.name].unit === 'Milliseconds' ? ' ms' : '';
    const dims = Object.entries(rest).map(([k, v]) => ` ${k}=${v}`).join('');
    print(`metric ${METRIC_NAMESPACE}/${point.name} ${point.value}${unit} (function=${fn ?? OTHER}${dims})`);
  }
};
