// Runtime settings from the function's environment (template.yaml Globals / env.json). Only the config module
// reads process.env; the composition reads these once per cold start. A few plain strings, checked by hand: the
// schema library is not loaded at a cold start for them.

import { ConfigError, type Problem } from './resolve.ts';

export interface RuntimeSettings {
  readonly BROKER_CONFIG: string;
  readonly REPLAY_TABLE: string;
  readonly SIGNING_KEY_ARN?: string | undefined;
  readonly AWS_REGION: string;
  /** emf: CloudWatch embedded metric format on stdout (Lambda); text: readable lines (npm start); off. */
  readonly BROKER_METRICS: 'emf' | 'text' | 'off';
  /** true: X-Ray traces through Powertools Tracer (template parameter Tracing), loaded only then. */
  readonly BROKER_TRACING: 'true' | 'false';
}

/** The function's settings; a missing BROKER_CONFIG or an unknown setting value fails the cold start, naming the variable. */
export const readRuntimeSettings = (env: Readonly<Record<string, string | undefined>> = process.env): RuntimeSettings => {
  const problems: Problem[] = [];
  const required = (name: string, message: string): string => {
    const value = env[name];
    if (value === undefined) problems.push({ severity: 'error', path: name, message: 'is required' });
    else if (value === '') problems.push({ severity: 'error', path: name, message });
    return value ?? '';
  };
  const withDefault = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === '') problems.push({ severity: 'error', path: name, message: 'must not be empty' });
    return value ?? fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env[name] ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) problems.push({ severity: 'error', path: name, message: `must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}` });
    return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
  };
  const settings: RuntimeSettings = {
    BROKER_CONFIG: required('BROKER_CONFIG', 'must name the config file'),
    REPLAY_TABLE: withDefault('REPLAY_TABLE', 'federation-broker-replay'),
    SIGNING_KEY_ARN: env.SIGNING_KEY_ARN,
    AWS_REGION: withDefault('AWS_REGION', 'us-east-1'),
    BROKER_METRICS: oneOf('BROKER_METRICS', ['emf', 'text', 'off'] as const, 'emf'),
    BROKER_TRACING: oneOf('BROKER_TRACING', ['true', 'false'] as const, 'false'),
  };
  if (problems.length > 0) throw new ConfigError('(environment)', problems);
  return settings;
};
