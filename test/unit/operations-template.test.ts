// template.yaml's operations resources against the code: every alarm and dashboard graph on the FederationBroker
// namespace names a metric the broker emits (shared/audit/metrics.ts), under a dimension set it is published with,
// with codes from the error table on the right metric (Refusals 4xx, Failures 5xx); the alarms notify the optional
// topic; the queries read every function's log group; the Tracing parameter drives X-Ray and the Tracer together.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, METRICS, type MetricName } from '../../shared/audit/metrics.ts';
import { ERROR_TABLE, isErrorCode } from '../../shared/errors.ts';
import { functionsOf, readTemplate, type Template } from '../../tools/lib/template.ts';

const template = readTemplate();
const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const functions = functionsOf(template);

interface MetricRef {
  readonly where: string;
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: Record<string, unknown>;
}

const dimsOf = (list: unknown): Record<string, unknown> =>
  Object.fromEntries(((list ?? []) as Array<{ Name: string; Value: unknown }>).map((d) => [d.Name, d.Value]));

/** Every metric an alarm watches: its own (Namespace/MetricName) or those of its metric math. */
const alarmMetrics = (t: Template): MetricRef[] =>
  Object.entries(t.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap(([id, r]) => {
      const p = r.Properties ?? {};
      if (p.MetricName !== undefined) return [{ where: id, namespace: p.Namespace, name: p.MetricName, dimensions: dimsOf(p.Dimensions) }];
      return ((p.Metrics ?? []) as Array<{ MetricStat?: { Metric: { Namespace: unknown; MetricName: unknown; Dimensions?: unknown } } }>)
        .filter((m) => m.MetricStat)
        .map((m) => ({ where: id, namespace: m.MetricStat?.Metric.Namespace, name: m.MetricStat?.Metric.MetricName, dimensions: dimsOf(m.MetricStat?.Metric.Dimensions) }));
    });

/** The dashboard body with its ${…} substitutions made, parsed. */
const dashboard = (t: Template): { widgets: Array<{ type: string; properties: Record<string, unknown> }> } => {
  const body = (t.Resources.OperationsDashboard?.Properties?.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  // ${!Literal} is a literal ${Literal}; every other ${Name} is substituted.
  return JSON.parse(body.split('${!').map((part) => part.replace(/\$\{([^}]+)\}/g, 'SUB:$1')).join('${')) as never;
};

/** Every metric a dashboard graph names: [Namespace, MetricName, dim, value, …] rows (with "." = as above) and SEARCH expressions. */
const dashboardMetrics = (t: Template): MetricRef[] => {
  const out: MetricRef[] = [];
  for (const [i, widget] of dashboard(t).widgets.entries()) {
    if (widget.type !== 'metric') continue;
    let previous: unknown[] = [];
    for (const row of widget.properties.metrics as unknown[][]) {
      const first = row[0];
      if (typeof first === 'object' && first !== null && 'expression' in first) {
        const m = /SEARCH\('\{([^}]+)\} MetricName="(\w+)"/.exec(String((first as { expression: string }).expression));
        const [namespace, ...keys] = (m?.[1] ?? '').split(',');
        out.push({ where: `widget ${i} SEARCH`, namespace, name: m?.[2], dimensions: Object.fromEntries(keys.map((k) => [k, '*'])) });
        continue;
      }
      const cells = row.filter((c) => typeof c === 'string') as string[];
      const full = cells[0] === '...' ? previous : cells.map((c, j) => (c === '.' ? previous[j] : c));
      previous = full;
      const [namespace, name, ...pairs] = full;
      const dimensions: Record<string, unknown> = {};
      for (let j = 0; j + 1 < pairs.length; j += 2) dimensions[String(pairs[j])] = pairs[j + 1];
      out.push({ where: `widget ${i}`, namespace, name, dimensions });
    }
  }
  return out;
};

const ours = (refs: MetricRef[]) => refs.filter((r) => r.namespace === METRIC_NAMESPACE);

/** Problems of one reference to a broker metric: unknown name, a dimension set it is not published with, a wrong code. */
const problemsOf = (ref: MetricRef): string[] => {
  const name = String(ref.name);
  if (!Object.hasOwn(METRICS, name)) return [`${ref.where}: ${name} is not a metric the broker emits`];
  const spec = METRICS[name as MetricName];
  const keys = Object.keys(ref.dimensions).sort();
  const problems: string[] = [];
  if (!spec.dimensions.some((set) => JSON.stringify(['service', ...set].sort()) === JSON.stringify(keys))) problems.push(`${ref.where}: ${name} is not published with dimensions [${keys.join(', ')}]`);
  const service = ref.dimensions.service;
  if (service !== '*' && JSON.stringify(service) !== JSON.stringify({ Ref: 'AWS::StackName' }) && service !== 'SUB:AWS::StackName') problems.push(`${ref.where}: ${name} does not select service = the stack name`);
  const code = ref.dimensions.code;
  if (typeof code === 'string' && code !== '*') {
    if (!isErrorCode(code)) problems.push(`${ref.where}: ${code} is not a stable code`);
    else if ((name === 'Failures') !== ERROR_TABLE[code].status >= 500) problems.push(`${ref.where}: ${code} (HTTP ${ERROR_TABLE[code].status}) is never counted as ${name}`);
  }
  return problems;
};

describe('template.yaml: operations', () => {
  it('has the alarms the runbooks in docs/operations.md describe', () => {
    expect(ofType('AWS::CloudWatch::Alarm').map(([id]) => id).sort()).toEqual(
      ['AttackSignalsAlarm', 'DynamoDbErrorsAlarm', 'FailureRateAlarm', 'IdpUnavailableAlarm', 'InternalErrorAlarm', 'LambdaErrorsAlarm', 'LambdaThrottlesAlarm', 'StsUnavailableAlarm'].sort(),
    );
  });

  it('every alarm on the broker namespace watches a metric, dimensions and codes the code emits', () => {
    const refs = ours(alarmMetrics(template));
    expect(refs.length).toBeGreaterThan(5);
    expect(refs.flatMap(problemsOf)).toEqual([]);
  });

  it('the alarms watch STS_UNAVAILABLE, IDP_UNAVAILABLE, INTERNAL, bad signatures and replays by their codes', () => {
    const codes = ours(alarmMetrics(template)).map((r) => `${String(r.name)}:${String(r.dimensions.code ?? '')}`);
    for (const code of ['Failures:STS_UNAVAILABLE', 'Failures:IDP_UNAVAILABLE', 'Failures:INTERNAL', 'Refusals:SIGNATURE_INVALID', 'Refusals:REPLAY_DETECTED', 'Failures:REPLAY_STORE_UNAVAILABLE']) expect(codes).toContain(code);
  });

  it('the Lambda alarms cover every function', () => {
    for (const alarm of ['LambdaErrorsAlarm', 'LambdaThrottlesAlarm']) {
      const watched = alarmMetrics(template).filter((r) => r.where === alarm).map((r) => (r.dimensions.FunctionName as { Ref: string }).Ref);
      expect(watched.sort()).toEqual(functions.map((f) => f.logicalId).sort());
    }
  });

  it('every alarm notifies the optional topic (ALARM and OK) and treats missing data as fine', () => {
    for (const [id, r] of ofType('AWS::CloudWatch::Alarm')) {
      const topic = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
      expect(r.Properties?.AlarmActions, id).toEqual(topic);
      expect(r.Properties?.OKActions, id).toEqual(topic);
      expect(r.Properties?.TreatMissingData, id).toBe('notBreaching');
      expect(String((r.Properties?.AlarmDescription as { 'Fn::Sub': string })['Fn::Sub']), id).toMatch(/Runbook: docs\/operations\.md#[a-z-]+$/);
    }
  });

  it('every alarm points to a runbook that docs/operations.md has, and the metrics table lists every metric', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/operations.md'), 'utf8');
    for (const [id, r] of ofType('AWS::CloudWatch::Alarm')) {
      const anchor = /#([a-z-]+)$/.exec(String((r.Properties?.AlarmDescription as { 'Fn::Sub': string })['Fn::Sub']))?.[1];
      expect(doc, `${id} → #${anchor}`).toContain(`<a id="${anchor}"></a>`);
    }
    for (const name of Object.keys(METRICS)) expect(doc, name).toContain(`\`${name}\``);
  });

  it('the dashboard body is JSON, and every graph of the broker namespace names an emitted metric', () => {
    const refs = ours(dashboardMetrics(template));
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.flatMap(problemsOf)).toEqual([]);
    const shown = new Set(refs.map((r) => r.name));
    for (const name of Object.keys(METRICS)) expect(shown, `${name} has no graph`).toContain(name);
  });

  it('the dashboard shows every alarm', () => {
    const alarms = dashboard(template).widgets.find((w) => w.type === 'alarm')?.properties.alarms as string[];
    expect(alarms.map((a) => a.replace(/^SUB:|\.Arn$/g, '')).sort()).toEqual(ofType('AWS::CloudWatch::Alarm').map(([id]) => id).sort());
  });

  it('the Logs Insights queries read every function log group and answer the operators’ questions', () => {
    const queries = ofType('AWS::Logs::QueryDefinition');
    expect(queries.map(([id]) => id).sort()).toEqual(['CredentialsForRoleQuery', 'RefusalsByCodeQuery', 'RequestRefusalsQuery', 'RulesFiringQuery', 'WhyDeniedByRequestQuery', 'WhyDeniedBySubjectQuery']);
    for (const [id, q] of queries) {
      expect((q.Properties?.LogGroupNames as Array<{ Ref: string }>).map((g) => g.Ref).sort(), id).toEqual(functions.map((f) => `${f.logicalId}Logs`).sort());
      expect(String(q.Properties?.QueryString), id).toMatch(/audit\.|requestId|code/);
    }
  });

  it('Tracing (off by default) drives X-Ray active tracing and the Tracer together; every function has its tracing bundle', () => {
    expect(template.Parameters?.Tracing?.Default).toBe('false');
    expect(template.Globals?.Function?.Tracing).toEqual({ 'Fn::If': ['TracingOn', 'Active', 'PassThrough'] });
    const env = (template.Globals?.Function?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.BROKER_TRACING).toEqual({ Ref: 'Tracing' });
    expect(env.BROKER_METRICS).toBe('emf');
    expect(env.POWERTOOLS_SERVICE_NAME).toEqual({ Ref: 'AWS::StackName' });
    for (const fn of functions) {
      const entries = (template.Resources[fn.logicalId]?.Metadata?.BuildProperties as { EntryPoints: string[] }).EntryPoints;
      expect(entries, fn.logicalId).toContain(fn.entry.replace(/index\.ts$/, 'tracing.ts'));
    }
  });
});
