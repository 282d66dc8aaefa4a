// Runtime settings from the function's environment (template.yaml Globals / env.json). Only the config module
// reads process.env; the composition reads these once per cold start.

import * as z from 'zod/mini';
import { ConfigError } from './load.ts';

const runtimeSchema = z.object({
  BROKER_CONFIG: z.string().check(z.minLength(1, 'must name the config file')),
  REPLAY_TABLE: z._default(z.string().check(z.minLength(1)), 'federation-broker-replay'),
  SIGNING_KEY_ARN: z.optional(z.string()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** emf: CloudWatch embedded metric format on stdout (Lambda); text: readable lines (npm start); off. */
  BROKER_METRICS: z._default(z.enum(['emf', 'text', 'off']), 'emf'),
  /** true: X-Ray traces through Powertools Tracer (template parameter Tracing), loaded only then. */
  BROKER_TRACING: z._default(z.enum(['true', 'false']), 'false'),
});

export type RuntimeSettings = z.output<typeof runtimeSchema>;

/** The function's settings; a missing BROKER_CONFIG fails the cold start, naming the variable. */
export const readRuntimeSettings = (env: Readonly<Record<string, string | undefined>> = process.env): RuntimeSettings => {
  const parsed = runtimeSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError('(environment)', parsed.error.issues.map((issue) => ({ severity: 'error', path: issue.path.map(String).join('.') || '(environment)', message: issue.message })));
  }
  return parsed.data;
};
