// The whole broker on one machine: development IdPs, then the broker booted with its local peers (boot.ts: the config,
// embedded DynamoDB, offline STS, the functions' environment), and the HTTP server that runs the Lambda handlers.
// Each part yields to the real thing when its environment variable says so (BROKER_CONFIG, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_STS).
// Web-identity issuance works with zero setup: the stack generates a development signing key at every start
// (held in memory, in BROKER_DEV_SIGNING_KEY — never written to disk, never committed; set the variable to a PEM
// to keep one key across restarts), adds `signingKey: env:BROKER_DEV_SIGNING_KEY` to the bundled config it
// renders, and the offline STS verifies web-identity tokens against the broker's own JWKS, as AWS would.

import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { bootBroker, freshSealingSecret, isLoopbackUrl, type ConfigSource } from './boot.ts';
import { startBrokerServer } from './server.ts';
import { brokerTokenVerifier, type StsEmulator } from './sts-emulator.ts';

export const DEFAULT_CONFIG = resolve(import.meta.dirname, '../../config/broker.local.yaml');
const DEFAULT_BASE = 'http://127.0.0.1:3000';
const DEFAULT_IDP = 'http://127.0.0.1:3001';
const DEFAULT_SAML_IDP = 'http://127.0.0.1:3002';
const DEV_SAML_KEY = resolve(import.meta.dirname, 'dev-keys/dev-saml-idp.key.pem');
const DEV_SAML_CERT = resolve(import.meta.dirname, '../../config/dev-keys/dev-saml-idp.cert.pem');
export const LOCAL_CLIENT_ID = 'federation-broker-local';
/** The environment variable holding the development signing key (PKCS#8 PEM) of the bundled config. */
export const DEV_SIGNING_KEY_ENV = 'BROKER_DEV_SIGNING_KEY';

/** A fresh RSA key for web-identity tokens: DEV ONLY, it lives as long as the process. */
export const generateDevSigningKey = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** The bundled config for this run: its URLs pointed at the running stack, the development signing key added. */
const rewriteUrls = (text: string, urls: { baseUrl: string; idpIssuer: string; samlIdp: string }): string =>
  text.replaceAll(DEFAULT_BASE, urls.baseUrl).replaceAll(DEFAULT_IDP, urls.idpIssuer).replaceAll(DEFAULT_SAML_IDP, urls.samlIdp);

const renderLocalConfig = (text: string, urls: { baseUrl: string; idpIssuer: string; samlIdp: string }, edit?: (doc: Document) => void): string => {
  const doc = parseDocument(rewriteUrls(text, urls));
  if (!doc.hasIn(['broker', 'signingKey'])) doc.setIn(['broker', 'signingKey'], `env:${DEV_SIGNING_KEY_ENV}`);
  edit?.(doc);
  return doc.toString();
};

export interface StackOptions {
  readonly port: number;
  readonly host: string;
  /** Environment to read settings from and to write the stack's settings into (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** Changes the bundled config before it runs (tests: more roles, accounts). Ignored with BROKER_CONFIG. */
  readonly editConfig?: (doc: Document) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly configFile: string;
  readonly idp?: { readonly issuer: string; readonly users: ReadonlyArray<{ username: string; password: string; description: string }> };
  readonly samlIdp?: { readonly entityId: string; readonly ssoUrl: string };
  readonly sts?: StsEmulator;
  stop(): Promise<void>;
}

export const startLocalStack = async (options: StackOptions): Promise<LocalStack> => {
  const env = options.env ?? process.env;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // The broker's own server is bound first so that its URL is known to the IdP and the config.
    const portProbe = await startPlaceholder(options.host, options.port);
    const baseUrl = portProbe.url;
    await portProbe.close();

    let config: ConfigSource = { file: env.BROKER_CONFIG ? resolve(env.BROKER_CONFIG) : DEFAULT_CONFIG };
    let idp: LocalStack['idp'];
    let samlIdp: LocalStack['samlIdp'];
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
      // The SAML dev IdP signs with the DEV ONLY key pair whose metadata the bundled config trusts.
      const { startDevSamlIdp } = await import('./dev-saml-idp.ts');
      const saml = await startDevSamlIdp({
        port: env.DEV_SAML_IDP_PORT ? Number(env.DEV_SAML_IDP_PORT) : options.port === 0 ? 0 : options.port + 2,
        spEntityId: `${baseUrl}/saml/metadata`,
        acsUrl: `${baseUrl}/saml/acs`,
        keys: { privateKeyPem: await readFile(DEV_SAML_KEY, 'utf8'), certPem: await readFile(DEV_SAML_CERT, 'utf8') },
      });
      stops.push(() => saml.stop());
      samlIdp = { entityId: saml.entityId, ssoUrl: saml.ssoUrl };
      const urls = { baseUrl, idpIssuer: oidc.issuer.replace(/\/$/, ''), samlIdp: new URL(saml.ssoUrl).origin };
      // Always rendered: the URLs may differ from the defaults, and the signing key reference is added. Files the
      // config names are relative to it: they come along (the SAML metadata names the IdP's URLs).
      config = { document: renderLocalConfig(await readFile(DEFAULT_CONFIG, 'utf8'), urls, options.editConfig), fileName: 'broker.local.yaml', files: await devKeyFiles(urls) };
      env[DEV_SIGNING_KEY_ENV] ||= generateDevSigningKey();
    }

    const booted = await bootBroker({
      config,
      replayTable: env.REPLAY_TABLE ?? 'federation-broker-replay',
      dynamo: env.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, createTable: isLoopbackUrl(env.AWS_ENDPOINT_URL_DYNAMODB) } : 'dynalite',
      sts: env.AWS_ENDPOINT_URL_STS ? { endpoint: env.AWS_ENDPOINT_URL_STS } : 'emulator',
      // The issuer and audience of web-identity tokens, for the offline STS. The JWKS comes from this stack's server,
      // whatever public URL the config's issuer names.
      stsEmulator: ({ broker }) => ({
        verifyWebIdentity: brokerTokenVerifier({ jwksUrl: `${baseUrl}/.well-known/jwks.json`, issuer: broker.baseUrl, audience: broker.tokenAudience }),
      }),
      region: env.AWS_REGION ?? 'us-east-1',
      // Local endpoints accept any signature: obviously fake credentials unless real ones are set up.
      credentials: 'when-unset',
      env: {
        POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
        // The metrics a deployed function would write as EMF, one readable line each (`metric FederationBroker/…`);
        // BROKER_METRICS=emf shows the EMF lines themselves, off shows none.
        BROKER_METRICS: env.BROKER_METRICS ?? 'text',
        // Seals role-picker tickets and flow cookies; a fresh one per run is right for a local stack.
        BROKER_SEALING_SECRET: env.BROKER_SEALING_SECRET ?? freshSealingSecret(),
      },
      target: env,
    });
    stops.push(() => booted.stop());

    const server = await startBrokerServer({ host: options.host, port: Number(new URL(baseUrl).port), consoleEmulator: true });
    stops.push(() => server.stop());
    return { url: server.url, configFile: booted.configFile, idp, samlIdp, sts: booted.stsEmulator, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/** The development keys folder of the bundled config, its SAML metadata pointed at the running dev IdP. */
const devKeyFiles = async (urls: { baseUrl: string; idpIssuer: string; samlIdp: string }): Promise<Record<string, string>> => {
  const folder = join(dirname(DEFAULT_CONFIG), 'dev-keys');
  const files: Record<string, string> = {};
  for (const name of await readdir(folder)) {
    const text = await readFile(join(folder, name), 'utf8');
    files[`dev-keys/${name}`] = name === 'dev-saml-idp.metadata.xml' ? rewriteUrls(text, urls) : text;
  }
  return files;
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
