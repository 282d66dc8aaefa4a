// What composeFromEnvironment builds for observability: the metrics BROKER_METRICS asks for, counted through the
// handler once per invocation, and the tracing middleware only with BROKER_TRACING=true (from the function's tracing
// bundle beside its entry point).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFromEnvironment } from '../../../shared/compose/broker.ts';
import { modulesBeside } from '../../../shared/compose/modules.ts';
import { composeLandingRoutes } from '../../../shared/compose/landing.ts';
import { brokerHandler } from '../../../shared/http/handler.ts';
import { httpApiEvent, lambdaContext } from '../../../tools/lib/lambda-events.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const WEB_ENTRY = pathToFileURL(resolve(ROOT, 'functions/web/index.ts')).href;
const env = (extra: Record<string, string>) => ({ BROKER_CONFIG: resolve(ROOT, 'config/broker.local.yaml'), AWS_REGION: 'us-east-1', ...extra });

let capture: Capture;
let saved: string | undefined;
beforeAll(() => {
  saved = process.env.BROKER_SEALING_SECRET;
  process.env.BROKER_SEALING_SECRET = 'observability-test-sealing-secret-0123456789abcdef';
  capture = captureOutput();
});
afterAll(() => {
  capture.restore();
  if (saved === undefined) delete process.env.BROKER_SEALING_SECRET;
  else process.env.BROKER_SEALING_SECRET = saved;
});

/** GET / answers the landing page (nothing to count); DELETE / is refused (NOT_FOUND: a route the function lacks). */
const invokeLanding = async (extra: Record<string, string>, method = 'DELETE') => {
  const broker = await composeFromEnvironment(modulesBeside(WEB_ENTRY), { function: 'web', env: env(extra) });
  const handler = brokerHandler('page', composeLandingRoutes(broker), broker);
  const before = capture.lines().length;
  const result = await handler(httpApiEvent('/', { method }), lambdaContext({ functionName: 'WebFunction', requestId: 'obs-test' }));
  return { broker, result, lines: capture.lines().slice(before) };
};

describe('observability from the environment', () => {
  it('BROKER_METRICS=emf (the template): one EMF line for the refused request, on stdout, flushed by the handler', async () => {
    const { result, lines } = await invokeLanding({ BROKER_METRICS: 'emf' });
    expect(result.statusCode).toBe(404);
    const emf = lines.filter((l) => l.includes('"_aws"'));
    expect(emf).toHaveLength(1);
    expect(JSON.parse(emf[0] ?? '{}')).toMatchObject({ function: 'web', code: 'NOT_FOUND', Refusals: 1 });
  });

  it('a request with nothing to count writes no metric line', async () => {
    const { result, lines } = await invokeLanding({ BROKER_METRICS: 'emf' }, 'GET');
    expect(result.statusCode).toBe(200);
    expect(lines.filter((l) => l.includes('"_aws"'))).toEqual([]);
  });

  it('BROKER_METRICS=text: a readable line; off: none', async () => {
    expect((await invokeLanding({ BROKER_METRICS: 'text' })).lines).toContain('metric FederationBroker/Refusals 1 (function=web code=NOT_FOUND)');
    const off = await invokeLanding({ BROKER_METRICS: 'off' });
    expect(off.lines.filter((l) => l.includes('"_aws"') || l.startsWith('metric '))).toEqual([]);
  });

  it('tracing is off by default: no Tracer is loaded', async () => {
    expect((await invokeLanding({})).broker.tracing).toBeUndefined();
  });

  it('BROKER_TRACING=true: the Tracer middleware from the tracing bundle wraps the handler, which still answers', async () => {
    const { broker, result } = await invokeLanding({ BROKER_TRACING: 'true', BROKER_METRICS: 'off' }, 'GET');
    expect(broker.tracing).toMatchObject({ before: expect.any(Function), after: expect.any(Function), onError: expect.any(Function) });
    expect(result.statusCode).toBe(200);
  });

  it('BROKER_TRACING=true without a tracing module beside the handler fails the cold start with CONFIG_INVALID', async () => {
    const lonely = modulesBeside(pathToFileURL(resolve(ROOT, 'functions/no-such-function/index.ts')).href);
    await expect(composeFromEnvironment(lonely, { function: 'web', env: env({ BROKER_TRACING: 'true' }) })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('a BROKER_METRICS value outside emf, text, off fails the cold start', async () => {
    await expect(composeFromEnvironment(modulesBeside(WEB_ENTRY), { function: 'web', env: env({ BROKER_METRICS: 'verbose' }) })).rejects.toThrow(/BROKER_METRICS/);
  });
});
