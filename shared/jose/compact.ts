// The shape of a compact JWS, checked before any key is looked up or any signature computed. Nothing here is
// trusted yet: the decoded header and claims only steer which checks run next.

import { BrokerError } from '../errors.ts';
import { parseJsonObject } from '../json/strict.ts';

/** Real ID tokens are 1–4 KB; even a large group list stays well below this. Larger → PAYLOAD_TOO_LARGE (413). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

const decodePart = (part: string, what: string): Record<string, unknown> => {
  // Stops padding, whitespace or other characters that Buffer would silently skip (two encodings, one token).
  if (!BASE64URL.test(part)) throw new BrokerError('TOKEN_INVALID', `the token ${what} is not base64url`);
  let text: string;
  try {
    text = utf8.decode(Buffer.from(part, 'base64url'));
  } catch (cause) {
    throw new BrokerError('TOKEN_INVALID', `the token ${what} is not UTF-8`, { cause });
  }
  // Stops duplicate member names, which parsers resolve differently (the verifier and the rules would disagree).
  const value = parseJsonObject(text);
  if (value === undefined) throw new BrokerError('TOKEN_INVALID', `the token ${what} is not one JSON object with unique member names`);
  return value;
};

export const decodeCompact = (token: string, maxLength = MAX_TOKEN_LENGTH): DecodedToken => {
  // Stops CPU and memory exhaustion by huge tokens before any parsing.
  if (token.length > maxLength) throw new BrokerError('PAYLOAD_TOO_LARGE', `the token is longer than ${maxLength} characters`);
  const parts = token.split('.');
  // Stops JWE (5 parts) and JSON or detached serialisations: only a signed compact JWS is an ID token.
  if (parts.length !== 3) throw new BrokerError('TOKEN_INVALID', `the token has ${parts.length} parts, not 3`);
  const [header = '', payload = '', signature = ''] = parts;
  // An empty signature is left to the `alg` check and the signature check, which name the problem precisely.
  if (signature !== '' && !BASE64URL.test(signature)) throw new BrokerError('TOKEN_INVALID', 'the token signature is not base64url');
  return { header: decodePart(header, 'header'), payload: decodePart(payload, 'payload') };
};
