// Values made legal for STS before the call, never after a failure (SPEC §5.3).

import { createHash } from 'node:crypto';

export const NAME_MIN = 2;
export const NAME_MAX = 64;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const MAX_TAGS = 50;
export const MAX_POLICY_ARNS = 10;
export const MAX_INLINE_POLICY = 2048;

const NAME_CHAR = /^[A-Za-z0-9_+=,.@-]$/;
const TAG_CHAR = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u;
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export const shortHash = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 6);

/**
 * RoleSessionName / SourceIdentity: 2–64 chars of `[\w+=,.@-]`. Other characters become `-`, then the value is
 * truncated; when anything changed it ends in `-` + 6 hex chars of the original's SHA-256, so two different users
 * never share a name. Returns undefined when the original is shorter than 2 characters.
 */
export const sanitiseIdentity = (original: string): string | undefined => {
  const chars = Array.from(original);
  if (chars.length < NAME_MIN) return undefined;
  const replaced = chars.map((c) => (NAME_CHAR.test(c) ? c : '-'));
  const candidate = replaced.join('');
  if (candidate === original && chars.length <= NAME_MAX) return original;
  const suffix = `-${shortHash(original)}`;
  return replaced.slice(0, NAME_MAX - suffix.length).join('') + suffix;
};

/** Tag values: 0–256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`; other characters become `-`, then truncate. */
export const sanitiseTagValue = (value: string): string => {
  let out = '';
  let count = 0;
  for (const c of value) {
    if (count === TAG_VALUE_MAX) break;
    out += TAG_CHAR.test(c) ? c : '-';
    count++;
  }
  return out;
};

export const isValidTagKey = (key: string): boolean => TAG_KEY.test(key);
