import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../shared/errors.ts';
import { decodeSamlMessage } from '../../../shared/saml/decode.ts';

const XML = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">é</samlp:Response>';
const b64 = Buffer.from(XML).toString('base64');

describe('decodeSamlMessage', () => {
  it('decodes base64', () => {
    expect(decodeSamlMessage(b64)).toBe(XML);
  });

  it('decodes base64url (RFC 8693 subject tokens)', () => {
    expect(decodeSamlMessage(Buffer.from(XML).toString('base64url'))).toBe(XML);
  });

  it('accepts line-wrapped base64 as IdPs send it', () => {
    expect(decodeSamlMessage(b64.replace(/.{1,76}/g, '$&\r\n'))).toBe(XML);
  });

  it.each([
    ['characters outside the alphabet', `${b64.slice(0, 10)}!${b64.slice(10)}`],
    ['a mix of base64 and base64url alphabets', `${b64.slice(0, 8)}-_+/${b64.slice(8)}`],
    ['an impossible length', `${b64}A`],
    ['padding in the middle', `${b64.slice(0, 8)}==${b64.slice(8)}`],
    ['non-canonical trailing bits', 'QR=='],
    ['an empty string', ''],
    ['bytes that are not UTF-8', Buffer.from([0x3c, 0xff, 0xfe, 0x3e]).toString('base64')],
  ])('refuses %s with SAML_INVALID', (_name, input) => {
    expect(() => decodeSamlMessage(input)).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));
  });

  it('refuses a message over the size limit with PAYLOAD_TOO_LARGE', () => {
    expect(() => decodeSamlMessage('A'.repeat(256 * 1024 + 4))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });

  it('round-trips any text and refuses junk only with stable codes', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((t) => !t.startsWith('\uFEFF'));
    fc.assert(fc.property(text, (t) => decodeSamlMessage(Buffer.from(t).toString('base64')) === t));
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        try {
          decodeSamlMessage(junk);
        } catch (error) {
          expect(error).toBeInstanceOf(BrokerError);
          expect(['SAML_INVALID', 'PAYLOAD_TOO_LARGE']).toContain((error as BrokerError).code);
        }
      }),
    );
  });
});
