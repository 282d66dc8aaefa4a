import { describe, expect, it } from 'vitest';
import { bodyParams, MAX_BODY_BYTES } from '../../../shared/http/decode.ts';
import { decodeTokenRequest } from '../../../shared/http/token-request.ts';
import type { HttpEvent } from '../../../shared/http/handler.ts';
import { httpApiEvent } from '../../../tools/lib/lambda-events.ts';

// Header names as a client may spell them: the decoder must not depend on API Gateway lower-casing them.
const event = (body: string, contentType = 'application/x-www-form-urlencoded', base64 = false): HttpEvent =>
  httpApiEvent('/token', { body, base64, headers: { 'Content-Type': contentType } });

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const valid = { grant_type: GRANT, subject_token: 'a.b.c', subject_token_type: ID_TOKEN };
const form = (p: Record<string, string>) => new URLSearchParams(p).toString();

describe('bodyParams', () => {
  it('reads form bodies, plain or base64-encoded as HTTP APIs send them', () => {
    expect(bodyParams(event('a=1&b=two')).get('b')).toBe('two');
    expect(bodyParams(event('a=1&b=two', 'application/x-www-form-urlencoded; charset=utf-8', true)).get('a')).toBe('1');
  });

  it('says why a JSON body is refused, never echoing it', () => {
    expect(() => bodyParams(event('{"audience":"a","audience":"b"}', 'application/json'))).toThrow(expect.objectContaining({ publicDetail: 'A parameter is repeated.' }));
  });

  it('reads JSON members that share a prefix or differ in case as different parameters', () => {
    const params = bodyParams(event('{"audience":"a","Audience":"b","audience_x":"c"}', 'application/json'));
    expect([...params.keys()]).toEqual(['audience', 'Audience', 'audience_x']);
  });

  it('reads JSON bodies of strings', () => {
    expect(bodyParams(event('{"a":"x","duration_seconds":900}', 'application/json')).get('duration_seconds')).toBe('900');
  });

  it.each([
    ['repeated parameter', event('a=1&a=2'), 'INVALID_REQUEST'],
    ['malformed JSON', event('{"a":', 'application/json'), 'INVALID_REQUEST'],
    ['JSON array', event('[1]', 'application/json'), 'INVALID_REQUEST'],
    ['JSON object value', event('{"a":{"b":1}}', 'application/json'), 'INVALID_REQUEST'],
    // Repeated members were "last wins" in JSON while repeated form parameters were refused.
    ['repeated JSON member', event('{"audience":"a","audience":"b"}', 'application/json'), 'INVALID_REQUEST'],
    ['repeated JSON member, escaped spelling', event('{"audience":"a","\\u0061udience":"b"}', 'application/json'), 'INVALID_REQUEST'],
    ['repeated JSON member in a base64 body', event('{"subject_token":"x","subject_token":"y"}', 'application/json', true), 'INVALID_REQUEST'],
    ['repeated __proto__ member', event('{"__proto__":"a","__proto__":"b"}', 'application/json'), 'INVALID_REQUEST'],
    ['other media type', event('<x/>', 'text/xml'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', httpApiEvent('/token', { body: 'a=1', headers: {} }), 'UNSUPPORTED_MEDIA_TYPE'],
    ['oversized body', event('a='.padEnd(MAX_BODY_BYTES + 10, 'x')), 'PAYLOAD_TOO_LARGE'],
    ['oversized base64 body', event('a='.padEnd(MAX_BODY_BYTES + 10, 'x'), 'application/x-www-form-urlencoded', true), 'PAYLOAD_TOO_LARGE'],
  ])('refuses a %s', (_name, e, code) => {
    expect(() => bodyParams(e)).toThrow(expect.objectContaining({ code }));
  });
});

describe('decodeTokenRequest', () => {
  const decode = (p: Record<string, string>) => decodeTokenRequest(bodyParams(event(form(p))));

  it('decodes a complete request', () => {
    expect(decode({ ...valid, resource: 'arn:aws:iam::111122223333:role/R', audience: 'r', duration_seconds: '900' })).toEqual({
      subjectToken: 'a.b.c',
      kind: 'jwt',
      roleArn: 'arn:aws:iam::111122223333:role/R',
      roleId: 'r',
      durationSeconds: 900,
    });
  });

  it('accepts the jwt and saml2 token types', () => {
    expect(decode({ ...valid, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }).kind).toBe('jwt');
    expect(decode({ ...valid, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }).kind).toBe('saml2');
  });

  it.each([
    ['missing grant_type', { subject_token: 'x', subject_token_type: ID_TOKEN }, 'INVALID_REQUEST'],
    ['other grant_type', { ...valid, grant_type: 'password' }, 'UNSUPPORTED_GRANT_TYPE'],
    ['missing subject_token', { grant_type: GRANT, subject_token_type: ID_TOKEN }, 'INVALID_REQUEST'],
    ['missing subject_token_type', { grant_type: GRANT, subject_token: 'x' }, 'INVALID_REQUEST'],
    ['access token type', { ...valid, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, 'UNSUPPORTED_TOKEN_TYPE'],
    ['actor token', { ...valid, actor_token: 'y', actor_token_type: ID_TOKEN }, 'INVALID_REQUEST'],
    ['resource that is not a role ARN', { ...valid, resource: 'https://evil.example' }, 'INVALID_REQUEST'],
    ['audience with odd characters', { ...valid, audience: '../x' }, 'INVALID_REQUEST'],
    ['negative duration', { ...valid, duration_seconds: '-900' }, 'INVALID_REQUEST'],
    ['fractional duration', { ...valid, duration_seconds: '900.5' }, 'INVALID_REQUEST'],
    ['huge duration', { ...valid, duration_seconds: '99999999999' }, 'INVALID_REQUEST'],
    ['other requested token type', { ...valid, requested_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, 'INVALID_REQUEST'],
  ])('refuses %s', (_name, params, code) => {
    expect(() => decode(params as Record<string, string>)).toThrow(expect.objectContaining({ code }));
  });
});
