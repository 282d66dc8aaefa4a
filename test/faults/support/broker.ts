// The broker side of the fault tests: a config file in a temporary folder, the environment a function would have
// (peers on 127.0.0.1), the exported handlers, API Gateway v2 events with cookies, and a small cookie jar.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { stringify } from 'yaml';
import { formBody, httpApiEvent, lambdaContext as newLambdaContext, type HttpApiHandler, type HttpApiResult } from '../../../tools/lib/lambda-events.ts';
import { LOCAL_CREDENTIALS } from '../../../tools/local/dynamo.ts';

export type HandlerResult = HttpApiResult;
export type Handler = HttpApiHandler;

export const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const SAML2_TYPE = 'urn:ietf:params:oauth:token-type:saml2';
export const READONLY_ARN = 'arn:aws:iam::111122223333:role/FaultsReadOnly';
export const BASE_URL = 'https://broker.example.com';

let requestCounter = 0;

export interface EventOptions {
  readonly body?: string;
  readonly contentType?: string;
  readonly cookies?: readonly string[];
  readonly query?: string;
}

/** An HTTP API (payload v2) event as API Gateway sends it: base64 body, cookies in their own array. */
export const apiEvent = (method: 'GET' | 'POST', path: string, options: EventOptions = {}): APIGatewayProxyEventV2 => {
  requestCounter += 1;
  return httpApiEvent(path, { ...options, method, requestId: `fault-${requestCounter}`, sourceIp: '203.0.113.9', userAgent: 'faults' });
};

export const lambdaContext = newLambdaContext({ functionName: 'Faults', requestId: 'lambda-fault', remainingMs: 10_000 });

export const form = formBody;

/** POST /token with an ID token (or a SAML response with `type: SAML2_TYPE`). */
export const tokenBody = (subjectToken: string, extra: Record<string, string> = {}, type = ID_TOKEN_TYPE): string =>
  form({ grant_type: GRANT_TYPE, subject_token: subjectToken, subject_token_type: type, audience: 'readonly', ...extra });

export const jsonOf = (result: HandlerResult): Record<string, any> => JSON.parse(result.body) as Record<string, any>;

/** The `name=value` pairs a browser would send back after these Set-Cookie headers. */
export class CookieJar {
  private readonly values = new Map<string, string>();

  store(result: HandlerResult): void {
    for (const setCookie of result.cookies ?? []) {
      const [pair = ''] = setCookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/i.test(setCookie) || value === '') this.values.delete(name);
      else this.values.set(name, value);
    }
  }

  header(): string[] {
    return [...this.values].map(([name, value]) => `${name}=${value}`);
  }

  allValues(): string[] {
    return [...this.values.values()];
  }
}

export const formField = (html: string, name: string): string | undefined =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1]?.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");

export const errorCodeOf = (html: string): string | undefined => /<dt>Error code<\/dt><dd><code>([A-Z_]+)<\/code>/.exec(html)?.[1];

export interface BrokerEnv {
  readonly configFile: string;
  readonly dynamoEndpoint: string;
  readonly stsEndpoint: string;
  readonly replayTable: string;
  readonly sealingSecret?: string;
}

/** Writes the config into a fresh folder; the caller removes it with `removeDir`. */
export const writeConfig = async (config: Record<string, unknown>, files: Readonly<Record<string, string>> = {}): Promise<{ dir: string; file: string }> => {
  const dir = await mkdtemp(join(tmpdir(), 'broker-faults-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const file = join(dir, 'broker.yaml');
  await writeFile(file, stringify(config));
  return { dir, file };
};

export const removeDir = (dir: string | undefined): Promise<void> => (dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve());

/** The environment of a deployed function, pointed at the peers (read once, at the handlers' cold start). */
export const useBrokerEnv = (env: BrokerEnv): void => {
  Object.assign(process.env, {
    BROKER_CONFIG: env.configFile,
    REPLAY_TABLE: env.replayTable,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: env.dynamoEndpoint,
    AWS_ENDPOINT_URL_STS: env.stsEndpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...(env.sealingSecret ? { FAULTS_SEALING_SECRET: env.sealingSecret } : {}),
  });
};

export const loadHandler = async (fn: 'token' | 'roles' | 'saml' | 'session' | 'oidc'): Promise<Handler> =>
  ((await import(`../../../functions/${fn}/index.ts`)) as { handler: unknown }).handler as Handler;

export const SAML_ATTRIBUTES = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
} as const;

export interface FaultConfigOptions {
  /** OIDC providers by id: issuer, audience, single use of jti. */
  readonly oidc?: Readonly<Record<string, { issuer: string; audience: string; singleUseJti?: boolean }>>;
  /** A SAML provider `corp-saml` whose metadata is in the file of this name (next to the config). */
  readonly samlMetadataFile?: string;
  readonly signinUrl?: string;
  readonly sealingSecretRef?: string;
}

/** One role (readonly) for alice-like identities (group aws-dev), from every provider. */
export const faultConfig = (options: FaultConfigOptions): Record<string, unknown> => ({
  version: 1,
  broker: {
    baseUrl: BASE_URL,
    samlEntityId: 'urn:example:broker',
    defaultSessionSeconds: 3600,
    ...(options.sealingSecretRef ? { sealingSecret: options.sealingSecretRef } : {}),
    ...(options.signinUrl ? { signinUrl: options.signinUrl } : {}),
  },
  providers: {
    ...Object.fromEntries(
      Object.entries(options.oidc ?? {}).map(([id, p]) => [id, { type: 'oidc', issuer: p.issuer, audiences: [p.audience], ...(p.singleUseJti ? { singleUseJti: true } : {}) }]),
    ),
    ...(options.samlMetadataFile
      ? { 'corp-saml': { type: 'saml', metadataFile: options.samlMetadataFile, allowIdpInitiated: true, claims: { ...SAML_ATTRIBUTES } } }
      : {}),
  },
  roles: { readonly: { arn: READONLY_ARN, label: 'Read only', maxSessionSeconds: 3600 } },
  rules: [{ id: 'devs', roles: ['readonly'], conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] } }, session: { name: '${email}' } }],
});
