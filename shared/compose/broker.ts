// The composition root: one composed broker per cold start, built from the loaded config and the AWS settings it is
// given (region, and for benchmarks and tests an SDK transport). It holds the light parts every route needs — the
// config, the audit sink, the browser cookie settings, the sealers — and a memo in which the services of
// compose/services.ts (replay store, STS, signing keys, issuer, browser sign-in) are built once, on first use — and the
// function's metrics (every audit record also counts) and, when the stack turns it on, its tracing. There is no
// module-level state anywhere else. compose/<function>.ts wires one function's routes from these, so that a
// Lambda bundle carries only the code its routes use (docs/architecture.md); the AWS clients, the config validator
// and the tracing middleware are modules beside the handler (compose/modules.ts), loaded at the cold start only when
// the config or the stack needs them.

import { resolve } from 'node:path';
import type { MiddlewareObj } from '@middy/core';
import { logAudit, type AuditSink } from '../audit/audit.ts';
import { logger } from '../audit/logger.ts';
import { createMetrics, createTextWriter, NO_METRICS, recordAuditMetrics, type FunctionName, type Metrics } from '../audit/metrics.ts';
import { createEmfWriter } from '../audit/powertools-metrics.ts';
import { prevalidatedFileOf, readPrevalidated } from '../config/prevalidated.ts';
import { awsReferencesOf, completeConfig, readConfigFile, type BrokerConfig, type ValidatedConfig } from '../config/resolve.ts';
import { readRuntimeSettings } from '../config/runtime.ts';
import { BrokerError, ERROR_TABLE } from '../errors.ts';
import { browserSettingsOf, type BrowserSettings } from '../http/routes/browser.ts';
import type { ConsoleFederation } from '../issuance/console.ts';
import { createSealer, sealingSecretOf, type Sealer, type SealerOptions, type SealingSecret } from '../stores/seal.ts';
import type { AwsClients } from './aws-clients.ts';
import type { AwsOptions } from './aws.ts';
import type { FunctionModules } from './modules.ts';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  readonly aws: AwsOptions;
  /** The AWS clients this function carries (compose/aws-clients.ts): those of its `aws` or `aws-full` module. */
  readonly clients: AwsClients;
  /** The replay table (template ReplayTable; env REPLAY_TABLE). */
  readonly replayTable: string;
  /** The KMS key the template created, for `signingKey: kms:` alone (env SIGNING_KEY_ARN). */
  readonly signingKeyArn?: string | undefined;
  /** Where audit records go (default: the structured logger). */
  readonly audit?: AuditSink | undefined;
  /** The AWS console federation endpoint client (default: fetch against broker.signinUrl). */
  readonly federation?: ConsoleFederation | undefined;
  /** The function's metrics (default: none kept). */
  readonly metrics?: Metrics | undefined;
  /** The tracing middleware of the handler, when tracing is on. */
  readonly tracing?: MiddlewareObj | undefined;
}

export interface Broker {
  readonly config: BrokerConfig;
  readonly options: BrokerOptions;
  /** The audit sink; every record also counts in the metrics (credentials issued, CLI sessions). */
  readonly audit: AuditSink;
  readonly metrics: Metrics;
  readonly tracing?: MiddlewareObj | undefined;
  readonly browserSettings: BrowserSettings;
  /** A sealer for one purpose, keyed by broker.sealingSecret (CONFIG_INVALID without a usable one). */
  sealer<T>(options: SealerOptions<T>): Sealer<T>;
  /** The service named `key`, built by `build` the first time and the same object after. */
  memo<T>(key: string, build: () => T): T;
}

export const composeBroker = (options: BrokerOptions): Broker => {
  const { config } = options;
  const built = new Map<string, unknown>();
  const memo = <T>(key: string, build: () => T): T => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key) as T;
  };
  const sealingSecret = (): SealingSecret =>
    memo('sealing-secret', () => {
      const bytes = config.material.sealingSecret;
      const usable = bytes === undefined ? undefined : sealingSecretOf(bytes);
      if (!usable) throw new BrokerError('CONFIG_INVALID', 'browser sign-in needs broker.sealingSecret (env:NAME or ssm:/path, at least 32 bytes)');
      return usable;
    });
  const metrics = options.metrics ?? NO_METRICS;
  const sink = options.audit ?? logAudit;
  return {
    config,
    options,
    audit: (record) => {
      sink(record);
      recordAuditMetrics(metrics, record);
    },
    metrics,
    tracing: options.tracing,
    browserSettings: browserSettingsOf(config),
    sealer: (sealerOptions) => createSealer(sealingSecret(), sealerOptions),
    memo,
  };
};

export interface EnvironmentOptions {
  /** The function being composed: its metrics carry it as the `function` dimension. */
  readonly function: FunctionName;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly requestHandler?: AwsOptions['requestHandler'];
}

/** The function's metrics, as BROKER_METRICS asks: EMF on stdout (Lambda), readable lines (npm start), or none. */
const metricsOf = (mode: 'emf' | 'text' | 'off', fn: FunctionName, config: BrokerConfig): Metrics =>
  mode === 'off'
    ? NO_METRICS
    : createMetrics({
        function: fn,
        codes: Object.keys(ERROR_TABLE),
        providers: Object.keys(config.providers),
        write: mode === 'text' ? createTextWriter((line) => void process.stdout.write(`${line}\n`)) : createEmfWriter(),
      });

/** The tracing middleware, from the function's tracing module: Powertools Tracer and the X-Ray SDK load only here. */
const tracingOf = async (modules: FunctionModules): Promise<MiddlewareObj> => {
  let module: Awaited<ReturnType<FunctionModules['tracing']>>;
  try {
    module = await modules.tracing();
  } catch (error) {
    throw new BrokerError('CONFIG_INVALID', 'BROKER_TRACING=true needs the tracing module beside the handler (tracing.mjs)', { cause: error });
  }
  return module.createTracing();
};

/**
 * The config of `file`, validated: the pre-validated copy beside it when it was made from these very bytes by this
 * very validator bundle (shared/config/prevalidated.ts), else the validator module run on the file.
 */
const validatedConfigOf = async (file: string, bytes: Buffer, modules: FunctionModules): Promise<ValidatedConfig> => {
  // Run from source there is no validator bundle to match: the file is always validated.
  const validator = await modules.validatorBytes();
  const prevalidated = validator === undefined ? {} : await readPrevalidated(file, bytes, validator);
  if (prevalidated.use) return prevalidated.use;
  if (prevalidated.reason !== undefined) logger.warn('pre-validated config not used; validating the config file', { file: prevalidatedFileOf(file), reason: prevalidated.reason });
  // Every error stops the cold start; warnings are check-config's (`npm run broker -- check-config`).
  return (await modules.validator()).validateConfigText(bytes.toString('utf8'), file, { warnings: false });
};

/**
 * A Lambda function's broker: settings from its environment (BROKER_CONFIG, REPLAY_TABLE, SIGNING_KEY_ARN,
 * AWS_REGION, BROKER_METRICS, BROKER_TRACING), the config file validated (or its pre-validated copy read), the
 * function's AWS clients loaded — with SSM and KMS only when the config has `ssm:` references or `kms:` keys — the
 * references resolved (`ssm:` with an SSM
 * client built like every other AWS client of the broker), and the broker composed. A bad config fails the cold
 * start, loudly, listing every problem.
 */
export const composeFromEnvironment = async (modules: FunctionModules, options: EnvironmentOptions): Promise<Broker> => {
  const settings = readRuntimeSettings(options.env);
  const tracing = settings.BROKER_TRACING === 'true' ? await tracingOf(modules) : undefined;
  const aws: AwsOptions = { region: settings.AWS_REGION, requestHandler: options.requestHandler };
  const file = resolve(settings.BROKER_CONFIG);
  const validated = await validatedConfigOf(file, await readConfigFile(file), modules);
  const references = awsReferencesOf(validated.config);
  const clients = await modules.awsClients(references.ssm || references.kms);
  const config = await completeConfig(validated, file, clients.ssmResolverOf ? { ssm: clients.ssmResolverOf(aws) } : {});
  const metrics = metricsOf(settings.BROKER_METRICS, options.function, config);
  return composeBroker({ config, aws, clients, replayTable: settings.REPLAY_TABLE, signingKeyArn: settings.SIGNING_KEY_ARN, metrics, tracing });
};
