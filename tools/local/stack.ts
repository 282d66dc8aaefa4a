// The whole broker on one machine: development IdP, embedded DynamoDB, offline STS, and the HTTP server that
// runs the Lambda handlers. Each part yields to the real thing when its environment variable says so
// (BROKER_CONFIG, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_STS).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite } from './dynamo.ts';
import { startBrokerServer } from './server.ts';
import { startStsEmulator, type StsEmulator } from './sts-emulator.ts';

export const DEFAULT_CONFIG = resolve(import.meta.dirname, '../../config/broker.local.yaml');
const DEFAULT_BASE = 'http://127.0.0.1:3000';
const DEFAULT_IDP = 'http://127.0.0.1:3001';
export const LOCAL_CLIENT_ID = 'federation-broker-local';

export interface StackOptions {
  readonly port: number;
  readonly host: string;
  /** Environment to read settings from and to write the stack's settings into (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalStack {
  readonly url: string;
  readonly configFile: string;
  readonly idp?: { readonly issuer: string; readonly users: ReadonlyArray<{ username: string; password: string; description: string }> };
  readonly sts?: StsEmulator;
  stop(): Promise<void>;
}

const isLoopbackUrl = (value: string): boolean => {
  try {
    const host = new URL(value).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
};

const hasAwsCredentials = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) ||
  existsSync(join(homedir(), '.aws', 'credentials'));

export const startLocalStack = async (options: StackOptions): Promise<LocalStack> => {
  const env = options.env ?? process.env;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    env.AWS_REGION ??= 'us-east-1';
    env.REPLAY_TABLE ??= 'federation-broker-replay';
    env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
    // Seals role-picker tickets and flow cookies; a fresh one per run is right for a local stack.
    env.BROKER_SEALING_SECRET ??= randomBytes(32).toString('base64url');

    // The broker's own server is bound first so that its URL is known to the IdP and the config.
    const portProbe = await startPlaceholder(options.host, options.port);
    const baseUrl = portProbe.url;
    await portProbe.close();

    let configFile = env.BROKER_CONFIG ? resolve(env.BROKER_CONFIG) : DEFAULT_CONFIG;
    let idp: LocalStack['idp'];
    if (!env.BROKER_CONFIG) {
      const { startDevOidcIdp } = await import('./dev-oidc-idp.ts');
      const idpPort = env.DEV_IDP_PORT ? Number(env.DEV_IDP_PORT) : options.port === 0 ? 0 : options.port + 1;
      const oidc = await startDevOidcIdp({
        host: '127.0.0.1',
        port: idpPort,
        clients: [{ client_id: LOCAL_CLIENT_ID, redirect_uris: [`${baseUrl}/oidc/callback`], token_endpoint_auth_method: 'none' }],
      });
      stops.push(() => oidc.stop());
      idp = { issuer: oidc.issuer, users: oidc.users };
      if (baseUrl !== DEFAULT_BASE || oidc.issuer.replace(/\/$/, '') !== DEFAULT_IDP) {
        const dir = await mkdtemp(join(tmpdir(), 'federation-broker-'));
        stops.push(() => rm(dir, { recursive: true, force: true }));
        const text = (await readFile(DEFAULT_CONFIG, 'utf8')).replaceAll(DEFAULT_BASE, baseUrl).replaceAll(DEFAULT_IDP, oidc.issuer.replace(/\/$/, ''));
        configFile = join(dir, 'broker.local.yaml');
        await writeFile(configFile, text);
        // Files the config names are relative to it: bring them along.
        await cp(join(dirname(DEFAULT_CONFIG), 'dev-keys'), join(dir, 'dev-keys'), { recursive: true });
      }
    }
    env.BROKER_CONFIG = configFile;

    if (!env.AWS_ENDPOINT_URL_DYNAMODB) {
      const dynamo = await startDynalite();
      stops.push(() => dynamo.stop());
      env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    }

    let sts: StsEmulator | undefined;
    if (!env.AWS_ENDPOINT_URL_STS) {
      sts = await startStsEmulator();
      const emulator = sts;
      stops.push(() => emulator.stop());
      env.AWS_ENDPOINT_URL_STS = sts.url;
    }
    // Local endpoints accept any signature: give the SDK obviously fake credentials unless real ones are set up.
    const allLocal = isLoopbackUrl(env.AWS_ENDPOINT_URL_STS) && isLoopbackUrl(env.AWS_ENDPOINT_URL_DYNAMODB);
    if (allLocal && !hasAwsCredentials(env)) {
      env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
    }
    if (isLoopbackUrl(env.AWS_ENDPOINT_URL_DYNAMODB)) await createReplayTable(env.AWS_ENDPOINT_URL_DYNAMODB, env.REPLAY_TABLE);

    const server = await startBrokerServer({ host: options.host, port: Number(new URL(baseUrl).port), consoleEmulator: true });
    stops.push(() => server.stop());
    return { url: server.url, configFile, idp, sts, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/** Reserves the broker's port (PORT=0 picks a free one) so the IdP and config can name the final URL. */
const startPlaceholder = async (host: string, port: number): Promise<{ url: string; close: () => Promise<void> }> => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};
