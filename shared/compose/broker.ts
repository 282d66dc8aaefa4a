// The composition root: one composed broker per cold start, built from the loaded config and the AWS settings it is
// given (region, and for benchmarks and tests an SDK transport). It holds the light parts every route needs — the
// config, the audit sink, the browser cookie settings, the sealers — and a memo in which the services of
// compose/services.ts (replay store, STS, signing keys, issuer, browser sign-in) are built once, on first use. There
// is no module-level state anywhere else. compose/<function>.ts wires one function's routes from these, so that a
// Lambda bundle carries only the code its routes use (docs/architecture.md).

import { resolve } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { logAudit, type AuditSink } from '../audit/audit.ts';
import { loadConfigFile, type BrokerConfig } from '../config/index.ts';
import { readRuntimeSettings } from '../config/runtime.ts';
import { createSsmResolver } from '../config/ssm.ts';
import { BrokerError } from '../errors.ts';
import { browserSettingsOf, type BrowserSettings } from '../http/routes/browser.ts';
import type { ConsoleFederation } from '../issuance/console.ts';
import { createSealer, sealingSecretOf, type Sealer, type SealerOptions, type SealingSecret } from '../stores/seal.ts';
import { clientConfig, type AwsOptions } from './aws.ts';

export interface BrokerOptions {
  readonly config: BrokerConfig;
  readonly aws: AwsOptions;
  /** The replay table (template ReplayTable; env REPLAY_TABLE). */
  readonly replayTable: string;
  /** The KMS key the template created, for `signingKey: kms:` alone (env SIGNING_KEY_ARN). */
  readonly signingKeyArn?: string | undefined;
  /** Where audit records go (default: the structured logger). */
  readonly audit?: AuditSink | undefined;
  /** The AWS console federation endpoint client (default: fetch against broker.signinUrl). */
  readonly federation?: ConsoleFederation | undefined;
}

export interface Broker {
  readonly config: BrokerConfig;
  readonly options: BrokerOptions;
  readonly audit: AuditSink;
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
  return {
    config,
    options,
    audit: options.audit ?? logAudit,
    browserSettings: browserSettingsOf(config),
    sealer: (sealerOptions) => createSealer(sealingSecret(), sealerOptions),
    memo,
  };
};

/**
 * A Lambda function's broker: settings from its environment (BROKER_CONFIG, REPLAY_TABLE, SIGNING_KEY_ARN,
 * AWS_REGION), the config file loaded and checked — `ssm:` references read with an SSM client built like every other
 * AWS client of the broker — and the broker composed. A bad config fails the cold start, loudly, listing every problem.
 */
export const composeFromEnvironment = async (options: { readonly env?: Readonly<Record<string, string | undefined>>; readonly requestHandler?: AwsOptions['requestHandler'] } = {}): Promise<Broker> => {
  const settings = readRuntimeSettings(options.env);
  const aws: AwsOptions = { region: settings.AWS_REGION, requestHandler: options.requestHandler };
  // Every error stops the cold start; warnings are check-config's (`npm run broker -- check-config`).
  const config = await loadConfigFile(resolve(settings.BROKER_CONFIG), { ssm: createSsmResolver(new SSMClient(clientConfig(aws, 3))), warnings: false });
  return composeBroker({ config, aws, replayTable: settings.REPLAY_TABLE, signingKeyArn: settings.SIGNING_KEY_ARN });
};
