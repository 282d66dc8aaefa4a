// `npm run invoke -- <LogicalId> <event.json> [--env-vars env.json]`: one function, one event, in this process,
// the way `sam local invoke` does it without Docker. The handler and environment come from template.yaml
// (Globals, then the function), then env.json ("Parameters" for every function, then the function's own
// entry). `/opt/…` paths point into config/, which is what the ConfigLayer mounts there.
// Like `npm start`, it boots the broker's local peers (tools/local/boot.ts): DynamoDB (dynalite) and the offline STS
// emulator unless AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_STS are set. Prints the handler's result as JSON.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootBroker, freshSealingSecret } from '../local/boot.ts';
import { lambdaContext, loadHandler } from '../local/server.ts';
import { functionsOf, readTemplate, type Template } from '../lib/template.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Resolves what can be resolved locally (parameters with defaults, Fn::Sub over them); drops the rest. */
const resolveValue = (value: unknown, template: Template): string | undefined => {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref !== undefined) {
      const d = template.Parameters?.[ref]?.Default;
      return d === undefined ? undefined : String(d);
    }
    const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (typeof sub === 'string') {
      let ok = true;
      const out = sub.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        const d = template.Parameters?.[name]?.Default;
        if (d === undefined) ok = false;
        return String(d ?? '');
      });
      return ok ? out : undefined;
    }
  }
  return undefined;
};

// As `sam local invoke`: the function's logs go to stderr, only the result goes to stdout.
const writeResult = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const fromOpt = (value: string): string => (value.startsWith('/opt/') ? resolve(ROOT, 'config', value.slice(5)) : value);

const main = async (): Promise<number> => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'env-vars': { type: 'string', short: 'n' } } });
  const [logicalId, eventFile] = positionals;
  if (!logicalId || !eventFile) {
    console.error('Usage: npm run invoke -- <LogicalId> <event.json> [--env-vars env.json]');
    return 2;
  }
  const template = readTemplate();
  const fn = functionsOf(template).find((f) => f.logicalId === logicalId);
  if (!fn) {
    console.error(`No function ${logicalId} in template.yaml (known: ${functionsOf(template).map((f) => f.logicalId).join(', ')})`);
    return 2;
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    const resolved = resolveValue(value, template);
    if (resolved !== undefined) env[key] = resolved;
  }
  if (values['env-vars']) {
    const overrides = JSON.parse(await readFile(values['env-vars'], 'utf8')) as Record<string, Record<string, string>>;
    Object.assign(env, overrides.Parameters ?? {}, overrides[logicalId] ?? {});
  }
  for (const [key, value] of Object.entries(env)) if (process.env[key] === undefined || key === 'BROKER_CONFIG') process.env[key] = fromOpt(value);
  const vars = process.env;
  // The function's peers and environment, as npm start boots them (tools/local/boot.ts); an endpoint already set is used.
  const booted = await bootBroker({
    config: { file: vars.BROKER_CONFIG ?? '' },
    replayTable: vars.REPLAY_TABLE ?? 'federation-broker-replay',
    dynamo: vars.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: vars.AWS_ENDPOINT_URL_DYNAMODB } : 'dynalite',
    sts: vars.AWS_ENDPOINT_URL_STS ? { endpoint: vars.AWS_ENDPOINT_URL_STS } : 'emulator',
    region: vars.AWS_REGION ?? 'us-east-1',
    credentials: !vars.AWS_ENDPOINT_URL_STS && vars.AWS_ACCESS_KEY_ID === undefined ? 'local' : undefined,
    env: { BROKER_SEALING_SECRET: vars.BROKER_SEALING_SECRET ?? freshSealingSecret() },
  });
  try {
    const event = JSON.parse(await readFile(eventFile, 'utf8')) as Parameters<Awaited<ReturnType<typeof loadHandler>>>[0];
    const handler = await loadHandler(fn);
    const result = await handler(event, lambdaContext(fn, randomUUID()));
    writeResult(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await booted.stop();
  }
};

process.exitCode = await main();
