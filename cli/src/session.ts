// The broker session in the cache: use it while it lasts, sign in (under the session lock, so that concurrent
// fbroker processes sign in once) when it is missing, unusable or about to end.

import { SESSION_REFUSALS, type UsableSession } from './broker-api.ts';
import type { Broker } from './broker-url.ts';
import { deleteAllCredentials, deleteSession, loadSession, msLeft, prepareCache, saveSession, type BrokerCache, type SessionFile } from './cache.ts';
import { importDpopKey } from './dpop-key.ts';
import { CliError } from './errors.ts';
import { withLock } from './lock.ts';
import type { Output } from './output.ts';
import { revokeSession } from './oauth.ts';
import { signIn, type SignInOptions } from './sign-in.ts';

export interface Context {
  readonly broker: Broker;
  readonly cache: BrokerCache;
  readonly io: Output;
  readonly now: () => number;
  readonly signIn: SignInOptions;
}

/** A session with less than this left is not used for a new exchange when a sign-in is allowed (STS needs ≥ 900 s). */
export const SESSION_RENEW_MS = 16 * 60_000;
/** Below this, a session is not used at all. */
const SESSION_MIN_MS = 60_000;

export const lockWaitMs = (ctx: Context): number => ctx.signIn.timeoutMs + 30_000;

const usable = async (file: SessionFile): Promise<UsableSession> => ({ id: file.session.id, accessToken: file.accessToken, key: await importDpopKey(file.dpopKey) });

/** The cached session if it has more than `minMs` left; an unusable file is reported and treated as absent. */
export const cachedSession = async (ctx: Context, minMs: number): Promise<SessionFile | undefined> => {
  const loaded = await loadSession(ctx.cache, ctx.broker);
  if (loaded.kind === 'unusable') ctx.io.err(`fbroker: ignoring the cached session: ${loaded.reason}`);
  if (loaded.kind !== 'ok') return undefined;
  return msLeft(loaded.value.session.expiresAt, ctx.now()) > minMs ? loaded.value : undefined;
};

/** Signs in and caches the new session; the previous one is revoked and its credentials dropped (maybe another identity). */
export const signInAndStore = async (ctx: Context): Promise<SessionFile> => {
  const previous = await loadSession(ctx.cache, ctx.broker).catch(() => undefined);
  const file = await signIn(ctx, ctx.signIn);
  await prepareCache(ctx.cache);
  await saveSession(ctx.cache, file);
  if (previous?.kind === 'ok') {
    await deleteAllCredentials(ctx.cache);
    await revokeSession(ctx.broker, previous.value.accessToken).catch(() => undefined);
  }
  return file;
};

/** A session to use now: the cached one, or (unless `allowLogin` is false) a new one from a single sign-in. */
export const ensureSession = async (ctx: Context, allowLogin: boolean): Promise<UsableSession> => {
  const minMs = allowLogin ? SESSION_RENEW_MS : SESSION_MIN_MS;
  const cached = await cachedSession(ctx, minMs);
  if (cached !== undefined) return usable(cached);
  if (!allowLogin) throw new CliError('NOT_SIGNED_IN', `no usable session for ${ctx.broker.url}: run \`fbroker login --broker ${ctx.broker.url}\``);
  await prepareCache(ctx.cache);
  return withLock(ctx.cache.sessionFile, lockWaitMs(ctx), async () => {
    // Another process may have signed in while we waited for the lock.
    const again = await cachedSession(ctx, minMs);
    return usable(again ?? (await signInAndStore(ctx)));
  });
};

/** Drops the cached session if it is still the one the broker refused (another process may have replaced it). */
export const dropSession = async (ctx: Context, sessionId: string): Promise<void> => {
  await withLock(ctx.cache.sessionFile, lockWaitMs(ctx), async () => {
    const loaded = await loadSession(ctx.cache, ctx.broker);
    if (loaded.kind !== 'ok' || loaded.value.session.id === sessionId) await deleteSession(ctx.cache);
  });
};

/**
 * Runs `use` with a session; when the broker refuses that session (revoked, expired, unknown, wrong key), the
 * cached session is dropped and, if a sign-in is allowed, `use` runs once more with a new one.
 */
export const useSession = async <T>(ctx: Context, allowLogin: boolean, use: (session: UsableSession) => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    const session = await ensureSession(ctx, allowLogin);
    try {
      return await use(session);
    } catch (error) {
      if (!(error instanceof CliError) || !SESSION_REFUSALS.has(error.code)) throw error;
      await dropSession(ctx, session.id);
      if (!allowLogin || attempt > 1) throw error;
      ctx.io.err(`fbroker: the broker refused the cached session (${error.code}); signing in again`);
    }
  }
};
