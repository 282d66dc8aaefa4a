// Sealed values for the browser: role-picker tickets and flow cookies. AES-256-GCM with a key derived (HKDF) from
// broker.sealingSecret per purpose, so that a flow cookie can never be replayed as a ticket; the purpose and expiry
// are inside the authenticated ciphertext. Nothing of the identity is readable by the browser.
//
// One typed Sealer per purpose: it seals values of its type and opens only values of that type — the payload is
// read back through the purpose's own parser, so a sealed value is never trusted by a cast.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { BrokerError, type ErrorCode } from '../errors.ts';

export type SealPurpose = 'ticket' | 'saml-flow' | 'oidc-flow' | 'cli-request' | 'cli-code' | 'cli-session' | 'cli-device-identity' | 'cli-confirm';

export interface Sealer<T> {
  seal(payload: T, expiresAt: Date): string;
  /** The payload; throws the sealer's code for anything tampered, expired, of another purpose, unreadable or misshapen. */
  open(sealed: string, now: Date): T;
}

/** The secret every sealer derives its purpose key from (broker.sealingSecret, at least 32 bytes). */
export interface SealingSecret {
  readonly bytes: Buffer;
}

export const MIN_SEALING_SECRET_BYTES = 32;
const VERSION = 1;
/** Browsers keep cookies up to ~4 KB; tickets travel in a form field. Larger sealed values are refused unread. */
export const MAX_SEALED_LENGTH = 16 * 1024;
const SEALED_FORMAT = /^[A-Za-z0-9_-]+$/;

/** The sealing secret (the config loader checked broker.sealingSecret), or undefined when shorter than 32 bytes. */
export const sealingSecretOf = (secret: Buffer | string): SealingSecret | undefined => {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  return bytes.length < MIN_SEALING_SECRET_BYTES ? undefined : { bytes };
};

export interface SealerOptions<T> {
  readonly purpose: SealPurpose;
  /** The code every refusal carries (FLOW_INVALID, TICKET_INVALID, …). */
  readonly failCode: ErrorCode;
  /** Reads the opened payload back as T, or undefined when it is not of that shape. */
  readonly parse: (payload: unknown) => T | undefined;
}

export const createSealer = <T>(secret: SealingSecret, options: SealerOptions<T>): Sealer<T> => {
  const { purpose, failCode, parse } = options;
  const key = Buffer.from(hkdfSync('sha256', secret.bytes, 'federation-broker', `seal:${purpose}:v${VERSION}`, 32));
  const aad = Buffer.from(purpose);
  const refuse = (why: string): never => {
    throw new BrokerError(failCode, why);
  };
  return {
    seal: (payload, expiresAt) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.from(JSON.stringify({ v: VERSION, p: purpose, exp: Math.floor(expiresAt.getTime() / 1000), d: payload }));
      return Buffer.concat([iv, cipher.update(body), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    },
    open: (sealed, now) => {
      // Size and alphabet first: a huge or odd value costs nothing.
      if (sealed.length > MAX_SEALED_LENGTH || !SEALED_FORMAT.test(sealed)) refuse('malformed sealed value');
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 12 + 16 + 2) refuse('sealed value too short');
      let parsed: { v?: unknown; p?: unknown; exp?: unknown; d?: unknown };
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        parsed = JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')) as typeof parsed;
      } catch {
        return refuse('sealed value does not authenticate');
      }
      // Cross-purpose replay (a flow cookie posted as a ticket) already fails above (another key); checked again here.
      if (parsed.v !== VERSION || parsed.p !== purpose) refuse('sealed value of another purpose');
      if (typeof parsed.exp !== 'number' || parsed.exp * 1000 <= now.getTime()) refuse('sealed value expired');
      const payload = parse(parsed.d);
      return payload === undefined ? refuse('sealed value has an unexpected payload') : payload;
    },
  };
};
