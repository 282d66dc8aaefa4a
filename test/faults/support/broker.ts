// The broker side of the fault tests: the broker booted with the peers a file chose (tools/local/boot.ts), its
// config, API Gateway v2 events with cookies, and a small cookie jar.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formBody, httpApiEvent, lambdaContext as newLambdaContext, type HttpApiHandler, type HttpApiResult } from '../../../tools/lib/lambda-events.ts';
import { bootBroker, freshSealingSecret, type BootedBroker, type BootOptions } from '../../../tools/local/boot.ts';

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

export interface FaultBrokerOptions extends Omit<BootOptions, 'credentials' | 'env'> {
  /** A fresh sealing secret in FAULTS_SEALING_SECRET (the config's `sealingSecretRef: env:FAULTS_SEALING_SECRET`). */
  readonly sealing?: boolean;
}

/**
 * The broker of one fault file (tools/local/boot.ts): its config in a fresh folder, the peers the file chose (often
 * behind a switchable proxy), fake local credentials and INFO logs (the audit lines the files count).
 */
export const bootFaultBroker = ({ sealing, ...options }: FaultBrokerOptions): Promise<BootedBroker> =>
  bootBroker({ ...options, credentials: 'local', env: { POWERTOOLS_LOG_LEVEL: 'INFO', ...(sealing === true ? { FAULTS_SEALING_SECRET: freshSealingSecret() } : {}) } });

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
