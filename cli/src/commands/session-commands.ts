// login, status, logout: the session itself.

import { flag, type ParsedOptions } from '../args.ts';
import { listCredentials, loadSession, msLeft, deleteBrokerCache, prepareCache, type CredentialsFile, type SessionFile } from '../cache.ts';
import { isFresh } from '../credentials.ts';
import { CliError, printable } from '../errors.ts';
import { withLock } from '../lock.ts';
import { revokeSession } from '../oauth.ts';
import { lockWaitMs, signInAndStore, type Context } from '../session.ts';

export const login = async (ctx: Context): Promise<number> => {
  await prepareCache(ctx.cache);
  await withLock(ctx.cache.sessionFile, lockWaitMs(ctx), () => signInAndStore(ctx));
  return 0;
};

const left = (ms: number): string => {
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min left` : `${minutes} min left`;
};

const credentialsSummary = (c: CredentialsFile, now: number) => ({
  role: c.role,
  duration: c.duration,
  accessKeyId: c.credentials.AccessKeyId,
  expiration: c.credentials.Expiration,
  fresh: isFresh(c.credentials, now),
});

export const status = async (ctx: Context, options: ParsedOptions): Promise<number> => {
  const now = ctx.now();
  let session: SessionFile | undefined;
  let problem: string | undefined;
  try {
    const loaded = await loadSession(ctx.cache, ctx.broker);
    if (loaded.kind === 'ok') session = loaded.value;
    if (loaded.kind === 'unusable') problem = loaded.reason;
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== 'CACHE_INSECURE') throw error;
    problem = error.message;
  }
  const active = session !== undefined && msLeft(session.session.expiresAt, now) > 0;
  const credentials = (await listCredentials(ctx.cache, ctx.broker)).map((c) => credentialsSummary(c, now));
  if (flag(options, 'json')) {
    ctx.io.out(`${JSON.stringify({ broker: ctx.broker.url, cacheDir: ctx.cache.dir, signedIn: active, session: session?.session ?? null, problem: problem ?? null, credentials }, null, 2)}\n`);
    return active ? 0 : 1;
  }
  const lines = [`broker       ${ctx.broker.url}`, `cache        ${ctx.cache.dir}`];
  if (session === undefined) lines.push(`session      none${problem === undefined ? '' : ` (${problem})`}`);
  else {
    const s = session.session;
    lines.push(`session      ${printable(s.subject, 200)} via ${printable(s.provider, 100)}, until ${s.expiresAt} (${left(msLeft(s.expiresAt, now))})`, `session id   ${printable(s.id, 100)}`);
  }
  if (credentials.length === 0) lines.push('credentials  none cached');
  for (const c of credentials) lines.push(`credentials  ${c.role}${c.duration === null ? '' : ` (${c.duration} s)`}: ${c.accessKeyId} until ${c.expiration} (${left(msLeft(c.expiration, now))})`);
  ctx.io.out(`${lines.join('\n')}\n`);
  return active ? 0 : 1;
};

export const logout = async (ctx: Context): Promise<number> => {
  // A file readable by others is still revoked: revoking can only help if its token leaked.
  const loaded = await loadSession(ctx.cache, ctx.broker, { allowExposed: true }).catch(() => ({ kind: 'missing' }) as const);
  let failure: CliError | undefined;
  if (loaded.kind === 'ok') {
    await revokeSession(ctx.broker, loaded.value.accessToken).catch((error: unknown) => {
      failure = error instanceof CliError ? error : new CliError('INTERNAL', 'revocation failed');
    });
  }
  await deleteBrokerCache(ctx.cache);
  if (failure !== undefined) {
    throw new CliError(failure.code, `the cache is deleted, but the broker did not confirm the revocation (${failure.message}); the session ends at ${loaded.kind === 'ok' ? loaded.value.session.expiresAt : '?'}`, failure.requestId === undefined ? {} : { requestId: failure.requestId });
  }
  ctx.io.err(loaded.kind === 'ok' ? `fbroker: signed out of ${ctx.broker.url}; session revoked, cache deleted` : `fbroker: no session for ${ctx.broker.url}; cache deleted`);
  return 0;
};
