// The STS adapter: AssumeRole / AssumeRoleWithWebIdentity with the session parameters the rules produced.
// Throttling and transient failures are retried inside a bounded time; STS's own refusals come back as
// STS_REJECTED naming the role; an unreachable STS is STS_UNAVAILABLE (503). Never a 500 for anything STS says.

import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, type STSClient, type Credentials } from '@aws-sdk/client-sts';
import { BrokerError } from '../errors.ts';
import type { SessionParams } from '../rules/index.ts';
import { DEFAULT_RETRY, withRetries, type FailureKind, type RetryDeps, type RetryPolicy } from './retry.ts';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

const TRANSIENT = new Set([
  'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'IDPCommunicationError',
  'ServiceUnavailable', 'ServiceUnavailableException', 'InternalFailure', 'InternalError', 'RequestTimeout',
  'RequestTimeoutException', 'TimeoutError', 'NetworkingError',
]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** A failure with no HTTP status never reached STS (DNS, refused connection, timeout): transient. */
export const classifyStsError = (error: unknown): FailureKind => {
  const e = (error ?? {}) as AwsErrorShape;
  if (TRANSIENT.has(e.name ?? '') || e.$retryable) return 'transient';
  const status = e.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429 ? 'transient' : 'refused';
};

const translate = (error: unknown, roleArn: string): BrokerError => {
  const name = ((error ?? {}) as AwsErrorShape).name ?? 'Error';
  if (classifyStsError(error) === 'transient') return new BrokerError('STS_UNAVAILABLE', `STS unavailable for ${roleArn}: ${name}`, { cause: error });
  // The role ARN and the STS error name are configuration facts, safe to show; the STS message is not echoed.
  return new BrokerError('STS_REJECTED', `STS refused ${roleArn}: ${name}`, { cause: error, publicDetail: `STS answered ${name.replace(/[^\w]/g, '')} for ${roleArn}.` });
};

const toCredentials = (c: Credentials | undefined, roleArn: string): AwsCredentials => {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new BrokerError('STS_REJECTED', `STS returned no credentials for ${roleArn}`, { publicDetail: `STS returned no credentials for ${roleArn}.` });
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
};

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** STS said "slow down" (an early sign of STS_UNAVAILABLE under load). */
export const isThrottling = (error: unknown): boolean => {
  const e = (error ?? {}) as AwsErrorShape;
  return THROTTLING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
};

/** One STS call as the metrics see it (docs/operations.md#metrics): no role, no session, no credentials. */
export interface StsCall {
  readonly operation: 'AssumeRole' | 'AssumeRoleWithWebIdentity';
  /** From the first attempt to the answer, retries and their backoff included. */
  readonly latencyMs: number;
  readonly attempts: number;
  /** Attempts answered with throttling. */
  readonly throttles: number;
  readonly outcome: 'issued' | 'rejected' | 'unavailable';
}

export interface StsAdapterDeps extends RetryDeps {
  /** Told of every call once it is answered (the composition counts it). */
  readonly observe?: (call: StsCall) => void;
}

export interface StsAdapter {
  assumeRole(roleArn: string, session: SessionParams, externalId?: string): Promise<AwsCredentials>;
  assumeRoleWithWebIdentity(roleArn: string, session: SessionParams, webIdentityToken: string): Promise<AwsCredentials>;
}

export const createStsAdapter = (client: STSClient, policy: RetryPolicy = DEFAULT_RETRY, deps: StsAdapterDeps = {}): StsAdapter => {
  const now = deps.now ?? Date.now;
  const send = async <T>(operation: StsCall['operation'], roleArn: string, call: () => Promise<T>): Promise<T> => {
    const started = now();
    let attempts = 0;
    let throttles = 0;
    const attempt = async (): Promise<T> => {
      attempts++;
      try {
        return await call();
      } catch (error) {
        if (isThrottling(error)) throttles++;
        throw error;
      }
    };
    const observe = (outcome: StsCall['outcome']): void => deps.observe?.({ operation, latencyMs: now() - started, attempts, throttles, outcome });
    try {
      const out = await withRetries(attempt, classifyStsError, policy, deps);
      observe('issued');
      return out;
    } catch (error) {
      const translated = translate(error, roleArn);
      observe(translated.code === 'STS_UNAVAILABLE' ? 'unavailable' : 'rejected');
      throw translated;
    }
  };
  return {
    assumeRole: async (roleArn, session, externalId) => {
      const command = new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: session.name,
        DurationSeconds: session.durationSeconds,
        SourceIdentity: session.sourceIdentity,
        Tags: Object.entries(session.tags).map(([Key, Value]) => ({ Key, Value })),
        TransitiveTagKeys: session.transitiveTags.length > 0 ? [...session.transitiveTags] : undefined,
        Policy: session.policy,
        PolicyArns: session.policyArns.length > 0 ? session.policyArns.map((arn) => ({ arn })) : undefined,
        ExternalId: externalId,
      });
      const out = await send('AssumeRole', roleArn, () => client.send(command));
      return toCredentials(out.Credentials, roleArn);
    },
    assumeRoleWithWebIdentity: async (roleArn, session, webIdentityToken) => {
      const command = new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: session.name,
        DurationSeconds: session.durationSeconds,
        WebIdentityToken: webIdentityToken,
        Policy: session.policy,
        PolicyArns: session.policyArns.length > 0 ? session.policyArns.map((arn) => ({ arn })) : undefined,
      });
      const out = await send('AssumeRoleWithWebIdentity', roleArn, () => client.send(command));
      return toCredentials(out.Credentials, roleArn);
    },
  };
};
