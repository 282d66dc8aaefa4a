// Credentials for one (role, duration): from the cache while they have more than 5 minutes left, else one
// exchange of the session at POST /token under a per-role lock (ten concurrent credential_process calls → one
// exchange).

import { exchangeSession } from './broker-api.ts';
import { loadCredentials, msLeft, prepareCache, saveCredentials, type AwsCredentials } from './cache.ts';
import { CliError } from './errors.ts';
import { withLock } from './lock.ts';
import { lockWaitMs, useSession, type Context } from './session.ts';

/** Cached credentials are used while they have more than this left (SDKs refresh about as early). */
export const REFRESH_BEFORE_MS = 5 * 60_000;

export interface CredentialsRequest {
  readonly role: string;
  readonly duration: number | undefined;
  readonly allowLogin: boolean;
}

export const isFresh = (credentials: AwsCredentials, now: number): boolean => msLeft(credentials.Expiration, now) > REFRESH_BEFORE_MS;

const fromCache = async (ctx: Context, request: CredentialsRequest): Promise<AwsCredentials | undefined> => {
  const loaded = await loadCredentials(ctx.cache, ctx.broker, request.role, request.duration);
  if (loaded.kind === 'unusable') ctx.io.err(`fbroker: ignoring cached credentials: ${loaded.reason}`);
  return loaded.kind === 'ok' && isFresh(loaded.value.credentials, ctx.now()) ? loaded.value.credentials : undefined;
};

const exchange = (ctx: Context, request: CredentialsRequest): Promise<AwsCredentials> =>
  useSession(ctx, request.allowLogin, async (session) => {
    const credentials = await exchangeSession(ctx.broker, session, request.role, request.duration);
    if (msLeft(credentials.Expiration, ctx.now()) <= 0) {
      throw new CliError('CREDENTIALS_EXPIRED', `the broker returned credentials that expired at ${credentials.Expiration} (is this computer's clock right?)`);
    }
    await saveCredentials(ctx.cache, { version: 1, broker: ctx.broker.url, role: request.role, duration: request.duration ?? null, sessionId: session.id, credentials });
    return credentials;
  });

export const getCredentials = async (ctx: Context, request: CredentialsRequest): Promise<AwsCredentials> => {
  const cached = await fromCache(ctx, request);
  if (cached !== undefined) return cached;
  await prepareCache(ctx.cache);
  return withLock(ctx.cache.credentialsFile(request.role, request.duration), lockWaitMs(ctx), async () => (await fromCache(ctx, request)) ?? exchange(ctx, request));
};

/** The credential_process document (extra fields are ignored by the AWS CLI and SDKs; we add none). */
export const credentialProcessJson = (c: AwsCredentials): string =>
  `${JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration })}\n`;
