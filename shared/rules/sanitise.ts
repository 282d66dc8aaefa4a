// Values made legal for STS before the call, never after a failure (docs/rules.md, session parameters).

import { createHash } from 'node:crypto';

export const NAME_MIN = 2;
export const NAME_MAX = 64;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const MAX_TAGS = 50;
export const MAX_POLICY_ARNS = 10;
export const MAX_INLINE_POLICY = 2048;

const NAME_CHAR = /^[A-Za-z0-9_+=,.@-]$/;
/** A name that is legal as it stands: the common case, answered without splitting it into characters. */
const LEGAL_NAME = /^[A-Za-z0-9_+=,.@-]{2,64}$/;
const TAG_CHAR = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u;
const LEGAL_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** Hex characters of the original's SHA-256 that a changed name or source identity ends in: 64 bits. */
export const HASH_SUFFIX_HEX = 16;
/** The shape of that suffix; a legal value that already ends like this is treated as changed. */
const HASH_SUFFIX = new RegExp(`-[0-9a-fA-F]{${HASH_SUFFIX_HEX}}$`);

/** SHA-256 of the NFC form of `value`, as the first HASH_SUFFIX_HEX hex characters. */
export const shortHash = (value: string): string =>
  createHash('sha256').update(value.normalize('NFC'), 'utf8').digest('hex').slice(0, HASH_SUFFIX_HEX);

/**
 * RoleSessionName / SourceIdentity: 2–64 chars of `[\w+=,.@-]`. Other characters become `-`, then the value is
 * truncated; when anything changed it ends in `-` + 16 hex chars of the original's SHA-256. A legal value that
 * already ends in `-` + 16 hex chars is treated as changed too, so unchanged and changed values never meet:
 * stops one user taking the name another user's value was sanitised to (`j-rgen@example.com-…` for
 * `jürgen@example.com`), and a 64-bit suffix stops look-alikes found by brute force. Returns undefined when the
 * original is shorter than 2 characters.
 */
export const sanitiseIdentity = (original: string): string | undefined => {
  if (LEGAL_NAME.test(original) && !HASH_SUFFIX.test(original)) return original;
  const chars = Array.from(original);
  if (chars.length < NAME_MIN) return undefined;
  const replaced = chars.map((c) => (NAME_CHAR.test(c) ? c : '-'));
  const candidate = replaced.join('');
  if (candidate === original && chars.length <= NAME_MAX && !HASH_SUFFIX.test(original)) return original;
  const suffix = `-${shortHash(original)}`;
  return replaced.slice(0, NAME_MAX - suffix.length).join('') + suffix;
};

/**
 * Tag values: 0–256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`; other characters become `-`, then the value is cut
 * so that it has at most 256 UTF-16 code units (and so at most 256 code points): STS documents the limit in
 * characters; our STS emulator, and conservatively STS itself, count UTF-16 units. A surrogate pair is never split.
 */
export const sanitiseTagValue = (value: string): string => {
  if (value.length <= TAG_VALUE_MAX && LEGAL_TAG_VALUE.test(value)) return value;
  let out = '';
  for (const c of value) {
    const legal = TAG_CHAR.test(c) ? c : '-';
    if (out.length + legal.length > TAG_VALUE_MAX) break;
    out += legal;
  }
  return out;
};

/** Tag keys: 1–128 legal characters, counted both as code points and as UTF-16 units (as tag values). */
export const isValidTagKey = (key: string): boolean => TAG_KEY.test(key) && key.length <= TAG_KEY_MAX;
