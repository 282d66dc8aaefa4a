// One broker with its local peers, for every test suite and tool that needs one (npm start, npm run invoke, the
// security, fuzz and fault suites): the config in a fresh folder (or a file used as it is) and checked, DynamoDB
// (dynalite with the replay table, or an endpoint given), STS (the offline emulator, an endpoint given, or left to
// an SDK mock in this process), the environment a deployed function reads at its cold start, and the functions'
// handlers, imported only once that environment is set. Identity providers are the caller's: their URLs go into the
// config. A proxy may be put in front of DynamoDB or STS (the fault suites make it fail on demand).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { loadConfigFile, type BrokerConfig } from '../../shared/config/index.ts';
import { isLoopbackHost } from '../../shared/patterns.ts';
import type { HttpApiHandler } from '../lib/lambda-events.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite } from './dynamo.ts';
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from './sts-emulator.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** The HTTP functions, by their folder under functions/. */
export type FunctionName = 'token' | 'roles' | 'saml' | 'oidc' | 'session' | 'web' | 'issuer' | 'cli';

export type ConfigSource =
  /** A config file used as it is (BROKER_CONFIG of a developer, or one rendered by the caller). */
  | { readonly file: string }
  /**
   * A config written into a fresh folder, removed at stop: a document (written as YAML) or YAML text as is, with
   * `files` beside it (relative paths, e.g. a SAML metadata file or a PEM key the config names).
   */
  | { readonly document: unknown; readonly fileName?: string; readonly files?: Readonly<Record<string, string>> };

/** Something listening in front of a peer (a proxy): the functions are given its URL instead of the peer's. */
export type Front = (endpoint: string) => Promise<{ readonly url: string; close(): Promise<void> }>;

export interface BootOptions {
  readonly config: ConfigSource;
  readonly replayTable: string;
  /** dynalite started here with the replay table (default), or an endpoint (its table created when `createTable`). */
  readonly dynamo?: 'dynalite' | { readonly endpoint: string; readonly createTable?: boolean };
  /** The offline emulator started here (default), an endpoint, or 'in-process': no endpoint (the caller mocks the SDK client). */
  readonly sts?: 'emulator' | 'in-process' | { readonly endpoint: string };
  /** Options of the emulator, or a function of the checked config (e.g. to verify web-identity tokens against its issuer). */
  readonly stsEmulator?: StsEmulatorOptions | ((config: BrokerConfig) => StsEmulatorOptions);
  readonly front?: { readonly dynamo?: Front; readonly sts?: Front };
  /** AWS_REGION (default us-east-1). */
  readonly region?: string;
  /**
   * 'local': obviously fake AWS credentials, always (local endpoints accept any signature). 'when-unset': only when
   * every AWS endpoint is on loopback and no credentials are configured at all (npm start). Default: none written.
   */
  readonly credentials?: 'local' | 'when-unset';
  /** More variables for the functions: the secrets the config references, the log level. */
  readonly env?: Readonly<Record<string, string>>;
  /** The environment written into (default process.env, which the functions read). */
  readonly target?: NodeJS.ProcessEnv;
}

export interface BootedBroker {
  readonly configFile: string;
  /** The checked config (secrets left unresolved). */
  readonly config: BrokerConfig;
  /** What the functions use for DynamoDB (the front's URL when there is one). */
  readonly dynamoEndpoint: string;
  /** What the functions use for STS (the front's URL when there is one); undefined in-process. */
  readonly stsEndpoint: string | undefined;
  /** The offline STS, when it was started here. */
  readonly stsEmulator: StsEmulator | undefined;
  /** A function's exported handler, imported (once per process, as a cold start) in the booted environment. */
  handler(name: FunctionName): Promise<HttpApiHandler>;
  /** Stops every peer started here and removes the config folder written here, in reverse order. */
  stop(): Promise<void>;
}

/** An endpoint on this machine (127.0.0.1, localhost, [::1]). */
export const isLoopbackUrl = (value: string | undefined): boolean => {
  const url = value === undefined ? undefined : URL.parse(value);
  return url !== undefined && url !== null && isLoopbackHost(url.hostname);
};

const hasAwsCredentials = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) ||
  existsSync(join(homedir(), '.aws', 'credentials'));

/** Writes the config (and the files beside it) into a fresh folder; returns the file and how to remove the folder. */
const writeConfig = async (source: Extract<ConfigSource, { document: unknown }>): Promise<{ file: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'federation-broker-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    for (const [name, text] of Object.entries(source.files ?? {})) {
      const path = resolve(dir, name);
      if (!path.startsWith(`${dir}/`)) throw new Error(`boot: ${name} is outside the config folder`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
    const file = join(dir, source.fileName ?? 'broker.yaml');
    await writeFile(file, typeof source.document === 'string' ? source.document : stringify(source.document));
    return { file, remove };
  } catch (error) {
    await remove();
    throw error;
  }
};

export const bootBroker = async (options: BootOptions): Promise<BootedBroker> => {
  const target = options.target ?? process.env;
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  const fronted = async (front: Front | undefined, endpoint: string): Promise<string> => {
    if (!front) return endpoint;
    const started = await front(endpoint);
    stops.push(() => started.close());
    return started.url;
  };
  try {
    let configFile: string;
    if ('file' in options.config) configFile = resolve(options.config.file);
    else {
      const written = await writeConfig(options.config);
      stops.push(written.remove);
      configFile = written.file;
    }
    // A bad config fails here, listing every problem, as it would fail the functions' cold start.
    const config = await loadConfigFile(configFile, { resolveSecrets: false });

    const dynamo = options.dynamo ?? 'dynalite';
    let dynamoEndpoint: string;
    if (dynamo === 'dynalite') {
      const local = await startDynalite();
      stops.push(() => local.stop());
      await createReplayTable(local.endpoint, options.replayTable);
      dynamoEndpoint = local.endpoint;
    } else {
      if (dynamo.createTable === true) await createReplayTable(dynamo.endpoint, options.replayTable);
      dynamoEndpoint = dynamo.endpoint;
    }
    dynamoEndpoint = await fronted(options.front?.dynamo, dynamoEndpoint);

    const sts = options.sts ?? 'emulator';
    let stsEmulator: StsEmulator | undefined;
    let stsEndpoint: string | undefined;
    if (sts === 'emulator') {
      const emulatorOptions = typeof options.stsEmulator === 'function' ? options.stsEmulator(config) : options.stsEmulator;
      const emulator = await startStsEmulator(emulatorOptions);
      stops.push(() => emulator.stop());
      stsEmulator = emulator;
      stsEndpoint = await fronted(options.front?.sts, emulator.url);
    } else if (sts !== 'in-process') {
      stsEndpoint = await fronted(options.front?.sts, sts.endpoint);
    }

    Object.assign(target, {
      BROKER_CONFIG: configFile,
      REPLAY_TABLE: options.replayTable,
      AWS_REGION: options.region ?? 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      ...options.env,
    });
    if (stsEndpoint === undefined) delete target.AWS_ENDPOINT_URL_STS;
    else target.AWS_ENDPOINT_URL_STS = stsEndpoint;
    const allLocal = isLoopbackUrl(dynamoEndpoint) && (stsEndpoint === undefined || isLoopbackUrl(stsEndpoint));
    if (options.credentials === 'local' || (options.credentials === 'when-unset' && allLocal && !hasAwsCredentials(target))) {
      target.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
      target.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
    }

    return {
      configFile,
      config,
      dynamoEndpoint,
      stsEndpoint,
      stsEmulator,
      handler: async (name) => {
        const mod = (await import(pathToFileURL(resolve(ROOT, 'functions', name, 'index.ts')).href)) as { handler?: unknown };
        if (typeof mod.handler !== 'function') throw new Error(`functions/${name}/index.ts exports no handler`);
        return mod.handler as HttpApiHandler;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** A fresh sealing secret for a local broker (32 random bytes, base64url): right for a run that starts from nothing. */
export const freshSealingSecret = (): string => randomBytes(32).toString('base64url');
