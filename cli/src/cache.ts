// The cache layout and what its files must contain. One folder per broker URL; in it one session (with its DPoP
// private key) and one credentials file per (role, duration). Every file names its broker, role and duration, and
// a file whose content does not match where it lies is not used (edited by hand, or copied from another broker).
//
//   <cache>/<host>-<hash of broker URL>/session.json
//   <cache>/<host>-<hash of broker URL>/credentials-<role>-<duration|default>-<hash>.json
//   <cache>/<host>-<hash of broker URL>/*.lock/          (held while signing in or exchanging)

import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Broker } from './broker-url.ts';
import { ensurePrivateDir, readPrivateJson, removeFile, writePrivateJson, type ReadResult } from './secure-files.ts';

export const CACHE_VERSION = 1;

export interface AwsCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  /** RFC 3339. */
  readonly Expiration: string;
}

export interface SessionInfo {
  readonly id: string;
  readonly provider: string;
  readonly subject: string;
  /** RFC 3339. */
  readonly expiresAt: string;
}

export interface SessionFile {
  readonly version: typeof CACHE_VERSION;
  readonly broker: string;
  readonly session: SessionInfo;
  /** The opaque session token (a secret: it is sent only to the broker, with a DPoP proof). */
  readonly accessToken: string;
  /** The session's ES256 DPoP key pair as a private JWK. */
  readonly dpopKey: JsonWebKey;
  readonly createdAt: string;
}

export interface CredentialsFile {
  readonly version: typeof CACHE_VERSION;
  readonly broker: string;
  readonly role: string;
  readonly duration: number | null;
  readonly sessionId: string;
  readonly credentials: AwsCredentials;
}

export interface BrokerCache {
  readonly root: string;
  readonly dir: string;
  readonly sessionFile: string;
  readonly credentialsFile: (role: string, duration: number | undefined) => string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const slug = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 48) || 'x';

export const brokerCache = (root: string, broker: Broker): BrokerCache => {
  const dir = join(root, `${slug(new URL(broker.url).host)}-${sha256(broker.url).slice(0, 12)}`);
  return {
    root,
    dir,
    sessionFile: join(dir, 'session.json'),
    credentialsFile: (role, duration) => join(dir, `credentials-${slug(role)}-${duration ?? 'default'}-${sha256(`${role}\n${duration ?? ''}`).slice(0, 10)}.json`),
  };
};

export const prepareCache = async (cache: BrokerCache): Promise<void> => {
  await ensurePrivateDir(cache.root);
  await ensurePrivateDir(cache.dir);
};

// ---- validation of what was read

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 16_384;
export const isTimestamp = (v: unknown): v is string => isString(v) && /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v));

export const isAwsCredentials = (v: unknown): v is AwsCredentials =>
  isObject(v) && isString(v.AccessKeyId) && isString(v.SecretAccessKey) && isString(v.SessionToken) && isTimestamp(v.Expiration);

const isSessionInfo = (v: unknown): v is SessionInfo => isObject(v) && isString(v.id) && isString(v.provider) && isString(v.subject) && isTimestamp(v.expiresAt);

const isPrivateEcJwk = (v: unknown): v is JsonWebKey => isObject(v) && v.kty === 'EC' && v.crv === 'P-256' && isString(v.x) && isString(v.y) && isString(v.d);

/** Why this session file cannot be used for this broker, or undefined when it can. */
const sessionProblem = (v: unknown, broker: Broker): string | undefined => {
  if (!isObject(v) || v.version !== CACHE_VERSION) return 'not a session file of this fbroker version';
  if (v.broker !== broker.url) return `it belongs to another broker (${String(v.broker).slice(0, 200)})`;
  if (!isSessionInfo(v.session) || !isString(v.accessToken) || !isPrivateEcJwk(v.dpopKey) || !isTimestamp(v.createdAt)) return 'fields are missing or malformed (edited by hand?)';
  return undefined;
};

const credentialsProblem = (v: unknown, broker: Broker, role: string, duration: number | undefined): string | undefined => {
  if (!isObject(v) || v.version !== CACHE_VERSION) return 'not a credentials file of this fbroker version';
  if (v.broker !== broker.url) return `it belongs to another broker (${String(v.broker).slice(0, 200)})`;
  if (v.role !== role || v.duration !== (duration ?? null)) return 'it is for another role or duration';
  if (!isString(v.sessionId) || !isAwsCredentials(v.credentials)) return 'fields are missing or malformed (edited by hand?)';
  return undefined;
};

export type Loaded<T> = { readonly kind: 'missing' } | { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'unusable'; readonly reason: string };

const check = <T>(file: string, read: ReadResult, problem: (v: unknown) => string | undefined): Loaded<T> => {
  if (read.kind !== 'ok') return read;
  const reason = problem(read.value);
  return reason === undefined ? { kind: 'ok', value: read.value as T } : { kind: 'unusable', reason: `${file}: ${reason}` };
};

export const loadSession = async (cache: BrokerCache, broker: Broker, options: { allowExposed?: boolean } = {}): Promise<Loaded<SessionFile>> =>
  check(cache.sessionFile, await readPrivateJson(cache.sessionFile, options), (v) => sessionProblem(v, broker));

export const saveSession = (cache: BrokerCache, session: SessionFile): Promise<void> => writePrivateJson(cache.sessionFile, session);

export const deleteSession = (cache: BrokerCache): Promise<void> => removeFile(cache.sessionFile);

export const loadCredentials = async (cache: BrokerCache, broker: Broker, role: string, duration: number | undefined): Promise<Loaded<CredentialsFile>> => {
  const file = cache.credentialsFile(role, duration);
  return check(file, await readPrivateJson(file), (v) => credentialsProblem(v, broker, role, duration));
};

export const saveCredentials = (cache: BrokerCache, file: CredentialsFile): Promise<void> =>
  writePrivateJson(cache.credentialsFile(file.role, file.duration ?? undefined), file);

/** Every credentials file of this broker that can be read and is valid (for `status`); unusable ones are skipped. */
export const listCredentials = async (cache: BrokerCache, broker: Broker): Promise<CredentialsFile[]> => {
  let names: string[];
  try {
    names = await readdir(cache.dir);
  } catch {
    return [];
  }
  const found: CredentialsFile[] = [];
  for (const name of names.filter((n) => n.startsWith('credentials-') && n.endsWith('.json')).sort()) {
    const read = await readPrivateJson(join(cache.dir, name));
    if (read.kind !== 'ok' || !isObject(read.value)) continue;
    const { role, duration } = read.value;
    if (typeof role !== 'string' || (duration !== null && typeof duration !== 'number')) continue;
    const loaded = check<CredentialsFile>(name, read, (v) => credentialsProblem(v, broker, role, duration ?? undefined));
    if (loaded.kind === 'ok' && cache.credentialsFile(role, duration ?? undefined) === join(cache.dir, name)) found.push(loaded.value);
  }
  return found;
};

export const deleteAllCredentials = async (cache: BrokerCache): Promise<void> => {
  let names: string[];
  try {
    names = await readdir(cache.dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith('credentials-') && n.endsWith('.json')).map((n) => removeFile(join(cache.dir, n))));
};

/** Deletes the broker's whole cache folder (logout). */
export const deleteBrokerCache = (cache: BrokerCache): Promise<void> => rm(cache.dir, { recursive: true, force: true });

/** Milliseconds left before an RFC 3339 time. */
export const msLeft = (time: string, now: number): number => Date.parse(time) - now;
