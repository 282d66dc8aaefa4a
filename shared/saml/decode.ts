// From the posted text (SAMLResponse form field, or a saml2 subject_token) to XML text: size-bounded, strict
// base64 or base64url, strict UTF-8. Node's Buffer decoder skips junk silently, so the alphabet is checked
// first and the result is re-encoded and compared.

import { fail } from '../errors.ts';
import { LIMITS } from './constants.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes a base64 or base64url SAML message to its XML text. */
export const decodeSamlMessage = (encoded: string, maxEncodedBytes: number = LIMITS.maxEncodedBytes): string => {
  // Size bomb: refused before any work proportional to it.
  if (encoded.length > maxEncodedBytes) fail('PAYLOAD_TOO_LARGE', 'SAML message too large');
  // Line-wrapped base64 (RFC 2045 style) is common from IdPs: only ASCII whitespace is dropped.
  const compact = encoded.replace(/[\t\n\r ]+/g, '');
  const url = !BASE64.test(compact) && BASE64URL.test(compact);
  if (!url && !BASE64.test(compact)) fail('SAML_INVALID', 'SAML message is not base64');
  // Padding: the alphabet check allows two '=' at most; a bounded quantifier cannot rescan a run (no ReDoS).
  const bare = compact.replace(/={1,2}$/, '');
  if (bare.length % 4 === 1 || (compact.length !== bare.length && compact.length % 4 !== 0)) fail('SAML_INVALID', 'SAML message has a bad base64 length');
  const bytes = Buffer.from(bare, url ? 'base64url' : 'base64');
  // Non-canonical encodings (stray bits in the last character) are refused: one message, one spelling.
  if (bytes.toString(url ? 'base64url' : 'base64').replace(/={1,2}$/, '') !== bare) fail('SAML_INVALID', 'SAML message is not canonical base64');
  try {
    return utf8.decode(bytes);
  } catch (error) {
    return fail('SAML_INVALID', 'SAML message is not UTF-8', { cause: error });
  }
};
