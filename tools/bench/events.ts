// What the bench hands the handlers: the function environment (template.yaml's literal values, then the local
// config and fake credentials), API Gateway v2 events and a Lambda context (tools/lib/lambda-events.ts).

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { resolve } from 'node:path';
import { formBody as form, httpApiEvent, lambdaContext as newLambdaContext } from '../lib/lambda-events.ts';
import { functionsOf, readTemplate } from '../lib/template.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const LOCAL_CONFIG = resolve(ROOT, 'config/broker.local.yaml');

/** The ids config/broker.local.yaml gives its static development issuers and the broker. */
export const DEV = {
  baseUrl: 'http://127.0.0.1:3000',
  oidcIssuer: 'https://dev-static.federation-broker.invalid',
  oidcAudience: 'federation-broker-events',
  jwksFile: resolve(ROOT, 'config/dev-keys/dev-static.jwks.json'),
  samlMetadataFile: resolve(ROOT, 'config/dev-keys/dev-static-saml.metadata.xml'),
  samlCertFile: resolve(ROOT, 'tools/events/dev-static-saml.cert.pem'),
  spEntityId: 'http://127.0.0.1:3000/saml/metadata',
  acsUrl: 'http://127.0.0.1:3000/saml/acs',
} as const;

/**
 * The environment of a function as template.yaml sets it (Globals, then the function; literal values only:
 * NODE_OPTIONS=--enable-source-maps, the Powertools settings), then the bench's: the local config, a sealing
 * secret, a region and clearly fake credentials (the SDK's env provider answers first; no profile, no IMDS).
 */
export const functionEnv = (logicalId: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const fn = functionsOf(readTemplate()).find((f) => f.logicalId === logicalId);
  const literal: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn?.environment ?? {})) if (typeof value === 'string') literal[key] = value;
  return {
    PATH: process.env.PATH ?? '',
    // What the Lambda runtime itself sets (reserved variables): Powertools and the SDK read some of them.
    TZ: ':UTC',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
    // As `sam local invoke` sets it: the local config trusts the committed DEV ONLY keys, refused in a real Lambda.
    AWS_SAM_LOCAL: 'true',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _X_AMZN_TRACE_ID: 'Root=1-6a3f2c00-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
    ...literal,
    BROKER_CONFIG: LOCAL_CONFIG,
    REPLAY_TABLE: 'federation-broker-replay',
    AWS_REGION: 'us-east-1',
    BROKER_SEALING_SECRET: 'bench-sealing-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    AWS_ACCESS_KEY_ID: 'AKIABENCHFAKE0000000',
    AWS_SECRET_ACCESS_KEY: 'benchFakeSecretAccessKey0000000000000000',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...extra,
  };
};

/** Bench events carry fixed times and ids: every sample hands the handler the same bytes. */
const BENCH_TIME = new Date('2026-11-22T12:00:00Z');

export const httpEvent = (routeKey: string, options: { body?: string; query?: string; contentType?: string; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 => {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return httpApiEvent(path, {
    method,
    routeKey,
    query: options.query,
    body: options.body,
    base64: false,
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', host: '127.0.0.1:3000', 'user-agent': 'federation-broker-bench', ...options.headers },
    host: '127.0.0.1:3000',
    domainPrefix: 'bench',
    apiId: 'bench',
    sourceIp: '127.0.0.1',
    userAgent: 'federation-broker-bench',
    requestId: 'bench-request',
    time: BENCH_TIME,
  });
};

/** POST /token: an RFC 8693 exchange of an ID token for the `dev-readonly` role. */
export const tokenExchangeEvent = (idToken: string): APIGatewayProxyEventV2 =>
  httpEvent('POST /token', {
    body: form({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: idToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      audience: 'dev-readonly',
      duration_seconds: '1800',
    }),
  });

/** POST /token with a broker session (CLI sign-in) as the subject token and its DPoP proof: same role and duration. */
export const sessionExchangeEvent = (session: string, proof: string): APIGatewayProxyEventV2 =>
  httpEvent('POST /token', {
    body: form({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: session,
      subject_token_type: 'urn:federation-broker:token-type:session',
      audience: 'dev-readonly',
      duration_seconds: '1800',
    }),
    headers: { dpop: proof },
  });

/** POST /cli/token: an authorization code grant with its DPoP proof. */
export const cliCodeEvent = (fields: Record<string, string>, proof: string): APIGatewayProxyEventV2 => httpEvent('POST /cli/token', { body: form(fields), headers: { dpop: proof } });

/** POST /token with a SAML response (base64, as browsers post it) as the subject token. */
export const samlTokenExchangeEvent = (samlResponse: string): APIGatewayProxyEventV2 =>
  httpEvent('POST /token', {
    body: form({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: samlResponse,
      subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
      audience: 'dev-readonly',
      duration_seconds: '1800',
    }),
  });

/** POST /saml/acs: an IdP-initiated response, no RelayState (the answer is the role picker). */
export const samlAcsEvent = (samlResponse: string): APIGatewayProxyEventV2 => httpEvent('POST /saml/acs', { body: form({ SAMLResponse: samlResponse }) });

export const lambdaContext = (functionName: string, requestId: string): Context => newLambdaContext({ functionName, requestId, logStreamName: 'bench' });
