// The AWS console federation endpoint (getSigninToken, then the login URL). The endpoint is configurable
// (broker.signinUrl) so that local runs and tests use a federation emulator on loopback.

import { BrokerError } from '../errors.ts';
import type { AwsCredentials } from './sts.ts';

export type Fetch = typeof globalThis.fetch;

export interface ConsoleFederation {
  /** The URL that signs the browser in to the console; it carries a SigninToken, a 15-minute secret. */
  loginUrl(credentials: AwsCredentials, options: { issuer: string; destination: string; sessionDurationSeconds?: number | undefined }): Promise<string>;
}

/** Console URLs a destination may point at: the AWS console of any partition, over https. */
export const isConsoleUrl = (value: string): boolean => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  return /^([a-z0-9-]+\.)*console\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)$/.test(url.hostname);
};

export const DEFAULT_DESTINATION = 'https://console.aws.amazon.com/';

export const createConsoleFederation = (signinUrl: string, fetch: Fetch = globalThis.fetch, timeoutMs = 5000): ConsoleFederation => ({
  loginUrl: async (credentials, options) => {
    const tokenUrl = new URL(signinUrl);
    tokenUrl.searchParams.set('Action', 'getSigninToken');
    // SessionDuration is refused for role-chained credentials: only passed where AWS allows it.
    if (options.sessionDurationSeconds !== undefined) tokenUrl.searchParams.set('SessionDuration', String(options.sessionDurationSeconds));
    tokenUrl.searchParams.set(
      'Session',
      JSON.stringify({ sessionId: credentials.accessKeyId, sessionKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }),
    );
    let signinToken: unknown;
    try {
      const response = await fetch(tokenUrl, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!response.ok) throw new Error(`getSigninToken answered ${response.status}`);
      signinToken = ((await response.json()) as { SigninToken?: unknown }).SigninToken;
    } catch (error) {
      throw new BrokerError('STS_UNAVAILABLE', 'the AWS federation endpoint did not issue a sign-in token', { cause: error });
    }
    if (typeof signinToken !== 'string' || signinToken === '') throw new BrokerError('STS_UNAVAILABLE', 'the AWS federation endpoint returned no sign-in token');
    const login = new URL(signinUrl);
    login.searchParams.set('Action', 'login');
    login.searchParams.set('Issuer', options.issuer);
    login.searchParams.set('Destination', options.destination);
    login.searchParams.set('SigninToken', signinToken);
    return login.toString();
  },
});
