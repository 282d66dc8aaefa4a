// The properties every fuzzed entry point shares: a handler answers each input with a clean refusal (4xx and a
// stable code), never a 5xx, never credentials, and leaves no unhandled rejection behind. No wall-clock bound: tests
// assert behaviour, not time. Super-linear inputs are stopped by construction instead — the regexp lint rules
// (eslint-plugin-regexp), the size and shape bounds checked before any parse or canonicalisation (test/security/
// saml-cpu.test.ts asserts that nothing expensive ran), and the CPU figures of `npm run bench`.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, expect } from 'vitest';
import { isErrorCode } from '../../shared/errors.ts';
import { carriesCredentials, codeOf, form, httpEvent, lambdaContext, useBrokerUnderTest, type BrokerUnderTest, type Handler, type HandlerResult } from './security-broker.ts';

/** Modest run counts keep every fuzz file well under a minute on two cores. */
export const RUNS = { heavy: 100, normal: 200, light: 300 } as const;

export interface Probe {
  readonly result: HandlerResult;
  readonly ms: number;
}

/** One handler call, its duration kept for the failure message. A rejection (the error middleware failed to answer) is a failure by itself. */
export const probe = async (handler: Handler, event: APIGatewayProxyEventV2): Promise<Probe> => {
  const start = performance.now();
  const result = await handler(event, lambdaContext);
  return { result, ms: performance.now() - start };
};

/** A status below 500, and when refused: a stable code and nothing issued. */
export const expectAnswered = ({ result }: Probe): void => {
  expect(typeof result.statusCode).toBe('number');
  expect(result.statusCode).toBeLessThan(500);
  if (result.statusCode >= 400) {
    const code = codeOf(result) ?? '';
    expect(isErrorCode(code), `stable code, got ${JSON.stringify(code)}`).toBe(true);
    expect(carriesCredentials(result)).toBe(false);
  }
};

/** The usual property: a refusal (4xx), never anything issued. */
export const expectRefused = (probed: Probe): void => {
  expectAnswered(probed);
  expect(probed.result.statusCode).toBeGreaterThanOrEqual(400);
  expect(probed.result.body).not.toContain('name="ticket"');
};

/**
 * One valid request down every lazy path (discovery and JWKS fetch, the SAML stack's dynamic import, the SDK
 * clients, dynalite), so that the time bound measures each fuzzed input and not a cold start. STS is reset after.
 */
export const warmUp = async (broker: BrokerUnderTest): Promise<void> => {
  const exchange = (subjectToken: string, type: string) =>
    broker.handlers.token(
      httpEvent('/token', { body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: `urn:ietf:params:oauth:token-type:${type}`, audience: 'readonly' }) }),
      lambdaContext,
    );
  const samlResponse = async () => Buffer.from(await broker.saml.xml({ now: new Date(), inResponseTo: undefined })).toString('base64');
  const answers = [
    await exchange(broker.oidc.mint({ now: new Date() }), 'id_token'),
    await exchange(await samlResponse(), 'saml2'),
    await broker.handlers.saml(httpEvent('/saml/acs', { body: form({ SAMLResponse: await samlResponse() }) }), lambdaContext),
    await broker.handlers.oidc(httpEvent('/oidc/login', { query: 'provider=corp-oidc' }), lambdaContext),
  ];
  expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 302]);
  broker.resetSts();
};

/**
 * The broker of one fuzz file (useBrokerUnderTest), warmed up, and the unhandled rejections seen from before it
 * starts until the file ends (vitest reports them too; this names them in the file).
 */
export const useFuzzBroker = (): { readonly broker: BrokerUnderTest; readonly rejections: { readonly seen: readonly unknown[] } } => {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => void seen.push(reason);
  beforeAll(() => void process.on('unhandledRejection', listener));
  const broker = useBrokerUnderTest();
  beforeAll(() => warmUp(broker), 60_000);
  afterAll(() => void process.off('unhandledRejection', listener));
  return { broker, rejections: { seen } };
};
