// The metrics port (shared/audit/metrics.ts) and its CloudWatch writer (powertools-metrics.ts): closed dimension sets,
// what an audit record counts, EMF lines that follow the specification, one line per metric group.

import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../shared/audit/audit.ts';
import { createMetrics, createTextWriter, METRIC_NAMESPACE, METRICS, OTHER, recordAuditMetrics, recordKeyFetch, recordStsCall, type MetricPoint } from '../../../shared/audit/metrics.ts';
import { createEmfWriter } from '../../../shared/audit/powertools-metrics.ts';
import { ERROR_TABLE } from '../../../shared/errors.ts';
import { emfProblems, emfSum, type EmfDocument } from '../../support/emf.ts';

const CODES = Object.keys(ERROR_TABLE);

const recording = () => {
  const written: MetricPoint[][] = [];
  const metrics = createMetrics({ function: 'token', codes: CODES, providers: ['corp-oidc'], write: (points) => void written.push([...points]) });
  return { metrics, written, points: () => written.flat() };
};

const emf = (serviceName = 'broker-stack') => {
  const lines: string[] = [];
  const metrics = createMetrics({ function: 'token', codes: CODES, providers: ['corp-oidc'], write: createEmfWriter({ serviceName, print: (line) => void lines.push(line) }) });
  return { metrics, lines, docs: () => lines.map((l) => JSON.parse(l) as EmfDocument) };
};

const grant: AuditRecord = {
  time: '2026-11-22T12:00:00.000Z',
  requestId: 'r-1',
  sourceIp: '203.0.113.7',
  route: '/token',
  provider: 'corp-oidc',
  subject: 'alice@example.com',
  decision: 'grant',
  ruleIds: ['devs'],
  roleArn: 'arn:aws:iam::111122223333:role/DevReadOnly',
  accessKeyId: 'ASIATEST',
};

describe('the metrics port', () => {
  it('keeps a dimension value only from its closed set; anything else is recorded as other', () => {
    const { metrics, points } = recording();
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.add('Refusals', 1, { code: 'alice@example.com' });
    metrics.add('CredentialsIssued', 1, { provider: 'corp-oidc' });
    metrics.add('CredentialsIssued', 1, { provider: 'arn:aws:iam::111122223333:role/DevReadOnly' });
    metrics.add('ReplaysDetected', 1, { kind: '203.0.113.7' });
    metrics.add('StsLatency', 12, { operation: 'AssumeRole' });
    metrics.flush();
    expect(points().map((p) => p.dimensions)).toEqual([
      { function: 'token', code: 'TOKEN_INVALID' },
      { function: 'token', code: OTHER },
      { function: 'token', provider: 'corp-oidc' },
      { function: 'token', provider: OTHER },
      { function: 'token', kind: OTHER },
      { function: 'token', operation: 'AssumeRole' },
    ]);
  });

  it('ignores a dimension name outside the catalogue (no way to add a subject dimension)', () => {
    const { metrics, points } = recording();
    metrics.add('CliSessionsCreated', 1, { subject: 'alice' } as never);
    metrics.flush();
    expect(points()).toEqual([{ name: 'CliSessionsCreated', value: 1, dimensions: { function: 'token' } }]);
  });

  it('writes once per flush, and nothing when nothing was added', () => {
    const { metrics, written } = recording();
    metrics.flush();
    metrics.add('CliSessionsCreated');
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.flush();
    metrics.flush();
    expect(written).toHaveLength(1);
    expect(written[0]).toHaveLength(2);
  });

  it('drops a value that is not a finite number', () => {
    const { metrics, written } = recording();
    metrics.add('StsLatency', Number.NaN, { operation: 'AssumeRole' });
    metrics.flush();
    expect(written).toEqual([]);
  });
});

describe('what the broker counts', () => {
  it.each([
    ['a grant with credentials', grant, [['CredentialsIssued', { provider: 'corp-oidc' }]]],
    ['a grant under a CLI broker session', { ...grant, sessionId: 'sid-1' }, [['CredentialsIssued', { provider: 'corp-oidc' }], ['CliSessionsUsed', {}]]],
    ['a broker session created', { ...grant, accessKeyId: undefined, code: 'SESSION_CREATED', sessionId: 'sid-1' }, [['CliSessionsCreated', {}]]],
    ['a broker session revoked', { ...grant, accessKeyId: undefined, code: 'SESSION_REVOKED', sessionId: 'sid-1' }, [['CliSessionsRevoked', {}]]],
    ['the role picker shown (no credentials yet)', { ...grant, accessKeyId: undefined, code: 'PICKER_SHOWN' }, []],
    ['a denial (the handler counts the refusal)', { ...grant, decision: 'deny', code: 'NO_ROLE_GRANTED', accessKeyId: undefined }, []],
  ] as const)('%s', (_name, record, expected) => {
    const { metrics, points } = recording();
    recordAuditMetrics(metrics, record as AuditRecord);
    metrics.flush();
    expect(points().map((p) => [p.name, Object.fromEntries(Object.entries(p.dimensions).filter(([k]) => k !== 'function'))])).toEqual(expected);
  });

  it('an STS call: its latency, and its throttled attempts when there were any', () => {
    const { metrics, points } = recording();
    recordStsCall(metrics, { operation: 'AssumeRole', latencyMs: 42, attempts: 1, throttles: 0, outcome: 'issued' });
    recordStsCall(metrics, { operation: 'AssumeRoleWithWebIdentity', latencyMs: 900, attempts: 3, throttles: 2, outcome: 'unavailable' });
    metrics.flush();
    expect(points().map((p) => [p.name, p.value, p.dimensions.operation])).toEqual([
      ['StsLatency', 42, 'AssumeRole'],
      ['StsLatency', 900, 'AssumeRoleWithWebIdentity'],
      ['StsThrottles', 2, 'AssumeRoleWithWebIdentity'],
    ]);
  });

  it('an IdP key fetch, and its failure', () => {
    const { metrics, points } = recording();
    recordKeyFetch(metrics, 'corp-oidc', true);
    recordKeyFetch(metrics, 'corp-oidc', false);
    metrics.flush();
    expect(points().map((p) => p.name)).toEqual(['IdpKeyFetches', 'IdpKeyFetches', 'IdpKeyFetchFailures']);
  });
});

describe('the EMF writer (Powertools Metrics)', () => {
  it('writes lines that follow the EMF specification, in the FederationBroker namespace, each metric under its own dimension sets', () => {
    const { metrics, lines, docs } = emf();
    metrics.add('CredentialsIssued', 1, { provider: 'corp-oidc' });
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.add('StsLatency', 42, { operation: 'AssumeRole' });
    metrics.flush();
    expect(lines).toHaveLength(3); // one line per group: a metric is published under every dimension set of its line
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const directives = docs().flatMap((d) => d._aws.CloudWatchMetrics);
    expect(new Set(directives.map((d) => d.Namespace))).toEqual(new Set([METRIC_NAMESPACE]));
    expect(directives.map((d) => [d.Metrics.map((m) => `${m.Name}:${m.Unit}`), d.Dimensions])).toEqual([
      [['CredentialsIssued:Count'], [['service'], ['service', 'provider'], ['service', 'function']]],
      [['Refusals:Count'], [['service'], ['service', 'code'], ['service', 'function']]],
      [['StsLatency:Milliseconds'], [['service'], ['service', 'operation']]],
    ]);
    expect(emfSum(docs(), 'Refusals', { service: 'broker-stack', code: 'TOKEN_INVALID' })).toBe(1);
    expect(emfSum(docs(), 'StsLatency', { service: 'broker-stack', operation: 'AssumeRole' })).toBe(42);
  });

  it('puts the values of one group in one line (an array), and different dimension values in different lines', () => {
    const { metrics, lines, docs } = emf();
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.add('Refusals', 1, { code: 'TOKEN_EXPIRED' });
    metrics.flush();
    expect(lines).toHaveLength(2);
    expect(emfSum(docs(), 'Refusals', { service: 'broker-stack', code: 'TOKEN_INVALID' })).toBe(2);
    expect(emfSum(docs(), 'Refusals', { service: 'broker-stack' })).toBe(3);
  });

  it('declares every catalogue metric with a CloudWatch unit and at most 30 dimensions', () => {
    for (const [name, spec] of Object.entries(METRICS)) {
      const { metrics, lines } = emf();
      metrics.add(name as keyof typeof METRICS, 1, { code: 'INTERNAL', provider: 'corp-oidc', operation: 'AssumeRole', kind: 'saml' });
      metrics.flush();
      expect(lines, name).toHaveLength(1);
      expect(emfProblems(lines[0] ?? ''), name).toEqual([]);
      expect((JSON.parse(lines[0] ?? '{}') as EmfDocument)._aws.CloudWatchMetrics[0]?.Dimensions).toEqual(spec.dimensions.map((set) => ['service', ...set]));
    }
  });
});

describe('the readable writer (npm start)', () => {
  it('prints one line per point with its function and dimensions', () => {
    const lines: string[] = [];
    const metrics = createMetrics({ function: 'token', codes: CODES, providers: ['corp-oidc'], write: createTextWriter((line) => void lines.push(line)) });
    metrics.add('Refusals', 1, { code: 'TOKEN_INVALID' });
    metrics.add('StsLatency', 42, { operation: 'AssumeRole' });
    metrics.flush();
    expect(lines).toEqual(['metric FederationBroker/Refusals 1 (function=token code=TOKEN_INVALID)', 'metric FederationBroker/StsLatency 42 ms (function=token operation=AssumeRole)']);
  });
});
