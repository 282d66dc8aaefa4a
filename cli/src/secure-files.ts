// Files that hold secrets: directories 0700 and files 0600 owned by the user (POSIX), read without following
// symlinks and checked on the open descriptor (no time-of-check/time-of-use gap), written atomically (a temp file
// renamed over the old one: a reader never sees half a file, Ctrl-C never leaves one).

import { randomBytes } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.ts';

const POSIX = process.platform !== 'win32';
const MAX_FILE_BYTES = 256 * 1024;

export type ReadResult = { readonly kind: 'missing' } | { readonly kind: 'ok'; readonly value: unknown } | { readonly kind: 'unusable'; readonly reason: string };

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Why a file or directory with this owner and mode must not be trusted, or undefined when it is private. */
const exposure = (what: string, path: string, uid: number, mode: number, privateMode: number): string | undefined => {
  if (!POSIX) return undefined;
  const myUid = process.getuid?.();
  if (myUid !== undefined && uid !== myUid) return `${what} ${path} belongs to another user (uid ${uid})`;
  if ((mode & 0o022) !== 0) return `${what} ${path} is writable by other users (mode ${octal(mode)}): its content cannot be trusted`;
  if ((mode & 0o044) !== 0 && privateMode === 0o600) return `${what} ${path} is readable by other users (mode ${octal(mode)}): the session in it may have leaked`;
  if ((mode & 0o077) !== 0) return `${what} ${path} is open to other users (mode ${octal(mode)}); it must be ${octal(privateMode)}`;
  return undefined;
};

const insecure = (reason: string): CliError =>
  new CliError('CACHE_INSECURE', `refusing to use the cache: ${reason}. Run \`fbroker logout\` (it revokes the session and deletes the cache), then sign in again.`);

/** Creates the directory (0700) when missing; refuses one that is a symlink, someone else's, or open to others. */
export const ensurePrivateDir = async (dir: string): Promise<void> => {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await lstat(dir);
  if (!stat.isDirectory()) throw insecure(`${dir} is not a directory (a symlink?)`);
  const problem = exposure('directory', dir, stat.uid, stat.mode, 0o700);
  if (problem !== undefined) throw insecure(problem);
};

/**
 * Reads a JSON file that only this user may read or write. Missing → `missing`; not a private regular file →
 * CACHE_INSECURE (never used); not JSON → `unusable` with the reason (the caller treats it as absent).
 */
export const readPrivateJson = async (file: string, options: { allowExposed?: boolean } = {}): Promise<ReadResult> => {
  let handle;
  try {
    // O_NOFOLLOW: a symlink planted in the cache cannot redirect us to another file.
    handle = await open(file, POSIX ? constants.O_RDONLY | constants.O_NOFOLLOW : 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') throw insecure(`${file} is a symbolic link`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw insecure(`${file} is not a regular file`);
    const problem = exposure('file', file, stat.uid, stat.mode, 0o600);
    if (problem !== undefined && options.allowExposed !== true) throw insecure(problem);
    if (stat.size > MAX_FILE_BYTES) return { kind: 'unusable', reason: `${file} is too large to be a cache file` };
    const text = await handle.readFile('utf8');
    try {
      return { kind: 'ok', value: JSON.parse(text) as unknown };
    } catch {
      return { kind: 'unusable', reason: `${file} is not valid JSON (truncated or edited?)` };
    }
  } finally {
    await handle.close();
  }
};

// Temp files being written: removed by the exit handler so that Ctrl-C leaves nothing half-written behind.
const pending = new Set<string>();

export const removePendingFiles = (): void => {
  for (const file of pending) rmSync(file, { force: true });
  pending.clear();
};

/** Writes JSON to a new 0600 file beside `file`, flushes it, then renames it over `file`. */
export const writePrivateJson = async (file: string, value: unknown): Promise<void> => {
  await ensurePrivateDir(dirname(file));
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  pending.add(temp);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    pending.delete(temp);
  }
};

export const removeFile = async (file: string): Promise<void> => {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
};
