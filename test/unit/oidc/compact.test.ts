// The token shape and strict JSON, checked before any key or signature work.

import { describe, expect, it } from 'vitest';
import { decodeCompact } from '../../../shared/jose/compact.ts';
import { checkHeader } from '../../../shared/oidc/header.ts';
import { MAX_DEPTH, parseJsonObject } from '../../../shared/json/strict.ts';

const part = (text: string): string => Buffer.from(text).toString('base64url');
const token = (header: string, payload: string, signature = 'c2ln'): string => `${part(header)}.${part(payload)}.${signature}`;

describe('parseJsonObject', () => {
  it.each([
    ['a duplicate member', '{"a":1,"a":2}'],
    ['a duplicate member spelt with an escape', '{"a":1,"\\u0061":2}'],
    ['a duplicate member in a nested object', '{"o":{"b":1,"b":1}}'],
    ['a duplicate member in an object inside an array', '{"l":[{"c":1,"c":1}]}'],
    ['an array at the top', '[1]'],
    ['a string at the top', '"s"'],
    ['null', 'null'],
    ['invalid JSON', '{"a":1,}'],
    ['nesting deeper than the limit', `${'{"a":'.repeat(MAX_DEPTH + 1)}1${'}'.repeat(MAX_DEPTH + 1)}`],
  ])('refuses %s', (_name, text) => {
    expect(parseJsonObject(text)).toBeUndefined();
  });

  it.each([
    ['the same name in sibling objects', '{"a":{"x":1},"b":{"x":1}}', { a: { x: 1 }, b: { x: 1 } }],
    ['a value that looks like a member name', '{"a":"a","b":["a","a"]}', { a: 'a', b: ['a', 'a'] }],
    ['escaped quotes and commas in strings', '{"a":"x\\",\\"a\\":","b":1}', { a: 'x","a":', b: 1 }],
    ['nesting at the limit', `${'{"a":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}`, JSON.parse(`${'{"a":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}`)],
  ])('accepts %s', (_name, text, expected) => {
    expect(parseJsonObject(text)).toEqual(expected);
  });
});

describe('decodeCompact', () => {
  it('decodes the header and the payload of a three-part token', () => {
    expect(decodeCompact(token('{"alg":"RS256"}', '{"sub":"a"}'))).toEqual({ header: { alg: 'RS256' }, payload: { sub: 'a' } });
  });

  it.each([
    ['whitespace inside a part', `${part('{"alg":"RS256"}')} .${part('{}')}.c2ln`, 'TOKEN_INVALID'],
    ['a payload that is not UTF-8', `${part('{"alg":"RS256"}')}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.c2ln`, 'TOKEN_INVALID'],
    ['a signature outside base64url', token('{"alg":"RS256"}', '{}', 'c2ln+/'), 'TOKEN_INVALID'],
    ['four parts', `${token('{"alg":"RS256"}', '{}')}.x`, 'TOKEN_INVALID'],
    ['an empty string', '', 'TOKEN_INVALID'],
  ])('refuses %s', (_name, input, code) => {
    expect(() => decodeCompact(input)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a token one character over the size limit (PAYLOAD_TOO_LARGE) and accepts one at it', () => {
    const input = token('{"alg":"RS256"}', '{"sub":"a"}');

    expect(() => decodeCompact(input, input.length - 1)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(decodeCompact(input, input.length).payload).toEqual({ sub: 'a' });
  });
});

describe('checkHeader', () => {
  const policy = { algorithms: ['RS256', 'ES256'], typ: ['JWT', 'id_token+jwt'] };

  it.each([
    ['JWT', 'JWT'],
    ['application/jwt', 'application/jwt'],
    ['an accepted explicit type', 'id_token+jwt'],
  ])('accepts typ %s', (_name, typ) => {
    expect(checkHeader({ alg: 'RS256', typ }, policy)).toEqual({ alg: 'RS256' });
  });

  it('refuses a typ that is not a string', () => {
    expect(() => checkHeader({ alg: 'RS256', typ: ['JWT'] }, policy)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
  });

  it('returns the kid for the key lookup', () => {
    expect(checkHeader({ alg: 'ES256', kid: 'k1' }, policy)).toEqual({ alg: 'ES256', kid: 'k1' });
  });
});
