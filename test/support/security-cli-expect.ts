// The assertions every CLI sign-in security row shares: a refusal is a 4xx with its stable code and nothing issued —
// no STS call, no credentials, no session — and no code, verifier, token or proof in the answer or in any log line.

import { expect } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { carriesCredentials, codeOf, type BrokerUnderTest, type HandlerResult } from './security-broker.ts';

export const expectNoSecretLeaked = (broker: BrokerUnderTest, result: HandlerResult, secrets: readonly string[]): void => {
  const logs = broker.capture?.text() ?? '';
  for (const secret of secrets) {
    expect(logs.includes(secret), 'a secret reached the logs').toBe(false);
    expect(result.body.includes(secret), 'a secret came back in the answer').toBe(false);
  }
};

export const expectCliRefusal = (broker: BrokerUnderTest, result: HandlerResult, code: ErrorCode, secrets: readonly string[]): void => {
  expect(codeOf(result)).toBe(code);
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expect(result.headers.location).toBeUndefined();
  expect(result.headers.refresh).toBeUndefined();
  expect(carriesCredentials(result)).toBe(false);
  expect(result.body).not.toContain('access_token');
  expect(broker.stsCalls()).toBe(0);
  expectNoSecretLeaked(broker, result, secrets);
};
