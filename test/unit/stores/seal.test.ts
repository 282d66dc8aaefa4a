// The typed sealer: what it seals opens only with the same secret, for the same purpose, before its expiry, and
// only when the purpose's parser accepts the payload; everything else is refused with the sealer's own code.

import { describe, expect, it } from 'vitest';
import { createSealer, MAX_SEALED_LENGTH, MIN_SEALING_SECRET_BYTES, sealingSecretOf, type SealingSecret, type SealPurpose } from '../../../shared/stores/seal.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const LATER = new Date(NOW.getTime() + 300_000);

interface Note {
  readonly id: string;
  readonly n: number;
}
const parseNote = (value: unknown): Note | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, n } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof n === 'number' ? { id, n } : undefined;
};

const secret = (text = 'a-sealing-secret-of-at-least-32-bytes!'): SealingSecret => {
  const s = sealingSecretOf(text);
  if (!s) throw new Error('test secret too short');
  return s;
};

const sealerFor = (purpose: SealPurpose = 'ticket', key = secret()) => createSealer<Note>(key, { purpose, failCode: 'TICKET_INVALID', parse: parseNote });

const NOTE: Note = { id: 'n-1', n: 7 };

/** Flips one character of the sealed value to another of the same alphabet. */
const flipAt = (sealed: string, at: number): string => {
  const c = sealed[at] ?? 'A';
  return `${sealed.slice(0, at)}${c === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
};

describe('sealingSecretOf', () => {
  it(`accepts ${MIN_SEALING_SECRET_BYTES} bytes and refuses one byte less`, () => {
    expect(sealingSecretOf('x'.repeat(MIN_SEALING_SECRET_BYTES))).toBeDefined();
    expect(sealingSecretOf('x'.repeat(MIN_SEALING_SECRET_BYTES - 1))).toBeUndefined();
  });

  it('counts bytes, not characters (multi-byte UTF-8 counts per byte)', () => {
    expect(sealingSecretOf('é'.repeat(16))).toBeDefined(); // 32 bytes, 16 characters
  });
});

describe('createSealer', () => {
  it('opens what it sealed, as the parsed payload', () => {
    const sealer = sealerFor();
    expect(sealer.open(sealer.seal(NOTE, LATER), NOW)).toEqual(NOTE);
  });

  it('seals the same payload differently each time (random IV), only in the base64url alphabet', () => {
    const sealer = sealerFor();
    const [a, b] = [sealer.seal(NOTE, LATER), sealer.seal(NOTE, LATER)];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('shows nothing of the payload', () => {
    const sealed = sealerFor().seal({ id: 'alice@example.com', n: 1 }, LATER);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('alice');
  });

  const sealed = sealerFor().seal(NOTE, LATER);
  it.each([
    ['a flipped byte in the ciphertext', flipAt(sealed, 20)],
    ['a flipped byte in the IV', flipAt(sealed, 2)],
    ['a flipped byte in the tag', flipAt(sealed, sealed.length - 3)],
    ['the tag cut off', sealed.slice(0, -22)],
    ['too short to hold an IV and a tag', sealed.slice(0, 30)],
    ['empty', ''],
    ['characters outside base64url (+ and /)', sealed.replace(/[A-Za-z]/, '+')],
    ['whitespace around the same bytes', ` ${sealed}\n`],
    ['standard base64 padding (the same bytes)', `${sealed}==`],
    ['an authentic value over the size limit (refused unread)', sealerFor().seal({ id: 'x'.repeat(MAX_SEALED_LENGTH), n: 1 }, LATER)],
  ])('refuses a value with %s: TICKET_INVALID', (_name, value) => {
    expect(() => sealerFor().open(value, NOW)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
  });

  it('refuses an expired value, and one at its very expiry second', () => {
    const sealer = sealerFor();
    const value = sealer.seal(NOTE, LATER);
    expect(() => sealer.open(value, new Date(LATER.getTime() + 1000))).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    expect(() => sealer.open(value, LATER)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    expect(sealer.open(value, new Date(LATER.getTime() - 1000))).toEqual(NOTE);
  });

  it('refuses a value sealed for another purpose (a flow cookie posted as a ticket)', () => {
    const flow = createSealer<Note>(secret(), { purpose: 'saml-flow', failCode: 'FLOW_INVALID', parse: parseNote });
    expect(() => sealerFor('ticket').open(flow.seal(NOTE, LATER), NOW)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
    expect(() => flow.open(sealerFor('ticket').seal(NOTE, LATER), NOW)).toThrow(expect.objectContaining({ code: 'FLOW_INVALID' }));
  });

  it('refuses a value sealed with another secret', () => {
    const other = sealerFor('ticket', secret('another-sealing-secret-of-32-bytes!!'));
    expect(() => sealerFor().open(other.seal(NOTE, LATER), NOW)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
  });

  it('refuses an authentic value whose payload the parser rejects (never trusted by a cast)', () => {
    const loose = createSealer<unknown>(secret(), { purpose: 'ticket', failCode: 'TICKET_INVALID', parse: (v) => v });
    const misshapen = loose.seal({ id: 42 }, LATER);
    expect(loose.open(misshapen, NOW)).toEqual({ id: 42 });
    expect(() => sealerFor().open(misshapen, NOW)).toThrow(expect.objectContaining({ code: 'TICKET_INVALID' }));
  });

  it('carries the sealer’s fail code on every refusal', () => {
    const flows = createSealer<Note>(secret(), { purpose: 'oidc-flow', failCode: 'FLOW_INVALID', parse: parseNote });
    expect(() => flows.open('!', NOW)).toThrow(expect.objectContaining({ code: 'FLOW_INVALID' }));
    expect(() => flows.open(flows.seal(NOTE, NOW), NOW)).toThrow(expect.objectContaining({ code: 'FLOW_INVALID' }));
  });
});
