// Sealed values for the browser: role-picker tickets and flow cookies. AES-256-GCM with a key derived (HKDF)
// from broker.sealingSecret per purpose, so that a flow cookie can never be replayed as a ticket; the purpose and
// expiry are inside the authenticated ciphertext. Nothing of the identity is readable by the browser.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { BrokerError, type ErrorCode } from '../errors.ts';

export type SealPurpose = 'ticket' | 'saml-flow' | 'oidc-flow';

export interface Sealer {
  seal(purpose: SealPurpose, payload: Readonly<Record<string, unknown>>, expiresAt: Date): string;
  /** Throws `failCode` for anything tampered, expired, of another purpose or unreadable. */
  open(purpose: SealPurpose, sealed: string, now: Date, failCode: ErrorCode): Record<string, unknown>;
}

const VERSION = 1;
export const MAX_SEALED_LENGTH = 16 * 1024;

export const createSealer = (secret: string): Sealer => {
  if (Buffer.byteLength(secret, 'utf8') < 32) throw new BrokerError('CONFIG_INVALID', 'broker.sealingSecret must be at least 32 bytes');
  const keys = new Map<SealPurpose, Buffer>();
  const keyFor = (purpose: SealPurpose): Buffer => {
    let key = keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', secret, 'federation-broker', `seal:${purpose}:v${VERSION}`, 32));
      keys.set(purpose, key);
    }
    return key;
  };
  return {
    seal: (purpose, payload, expiresAt) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(purpose), iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.from(JSON.stringify({ v: VERSION, p: purpose, exp: Math.floor(expiresAt.getTime() / 1000), d: payload }));
      const sealed = Buffer.concat([iv, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
      return sealed.toString('base64url');
    },
    open: (purpose, sealed, now, failCode) => {
      const refuse = (why: string): never => {
        throw new BrokerError(failCode, why);
      };
      if (sealed.length > MAX_SEALED_LENGTH || !/^[A-Za-z0-9_-]+$/.test(sealed)) refuse('malformed sealed value');
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 12 + 16 + 2) refuse('sealed value too short');
      let parsed: { v?: unknown; p?: unknown; exp?: unknown; d?: unknown };
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyFor(purpose), raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        return refuse('sealed value does not authenticate');
      }
      if (parsed.v !== VERSION || parsed.p !== purpose) refuse('sealed value of another purpose');
      if (typeof parsed.exp !== 'number' || parsed.exp * 1000 <= now.getTime()) refuse('sealed value expired');
      if (parsed.d === null || typeof parsed.d !== 'object' || Array.isArray(parsed.d)) refuse('sealed value has no payload');
      return parsed.d as Record<string, unknown>;
    },
  };
};
