// RFC 8252 §7.3 loopback redirect URIs: only the canonical IP literals, any port, a path; every other spelling that a
// URL parser or a browser would still send to 127.0.0.1 (or elsewhere) is refused, so that the code can only reach
// the CLI's own listener and the string compared at /cli/token is the one the browser was sent to.

import { describe, expect, it } from 'vitest';
import { loopbackRedirectUri, withResponseParams } from '../../../shared/oauth/loopback.ts';

describe('loopbackRedirectUri', () => {
  it.each([
    'http://127.0.0.1:1/',
    'http://127.0.0.1:53682/callback',
    'http://127.0.0.1:65535/a/b/c',
    'http://127.0.0.1:8080',
    'http://[::1]:53682/callback',
    "http://127.0.0.1:9/p~a_t.h-!$&'()*+,;=:@%20",
  ])('accepts %s as given', (uri) => {
    expect(loopbackRedirectUri(uri)).toBe(uri);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['localhost', 'http://localhost:53682/'],
    ['https', 'https://127.0.0.1:53682/'],
    ['upper-case scheme', 'HTTP://127.0.0.1:1/'],
    ['no port', 'http://127.0.0.1/'],
    ['port 0', 'http://127.0.0.1:0/'],
    ['port 65536', 'http://127.0.0.1:65536/'],
    ['port with a leading zero', 'http://127.0.0.1:080/'],
    ['short form 127.1', 'http://127.1:80/'],
    ['hex 0x7f.0.0.1', 'http://0x7f.0.0.1/'],
    ['hex 0x7f.0.0.1 with a port', 'http://0x7f.0.0.1:1/'],
    ['decimal 2130706433', 'http://2130706433:1/'],
    ['octal 0177.0.0.1', 'http://0177.0.0.1:1/'],
    ['another loopback address', 'http://127.0.0.2:1/'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:1/'],
    ['IPv6 long form', 'http://[0:0:0:0:0:0:0:1]:1/'],
    ['userinfo before the host', 'http://evil.example.com@127.0.0.1:1/'],
    ['userinfo with a password', 'http://u:p@127.0.0.1:1/'],
    ['a host after userinfo-looking loopback', 'http://127.0.0.1:1@evil.example.com/'],
    ['fragment', 'http://127.0.0.1:1/cb#x'],
    ['query', 'http://127.0.0.1:1/cb?a=b'],
    ['backslash path', 'http://127.0.0.1:1\\@evil.example.com/'],
    ['trailing dot host', 'http://127.0.0.1.:1/'],
    ['whitespace', ' http://127.0.0.1:1/'],
    ['tab inside', 'http://127.0.0.1:1/\tcb'],
    ['newline at the end', 'http://127.0.0.1:1/\n'],
    ['protocol-relative', '//127.0.0.1:1/'],
    ['another scheme', 'javascript://127.0.0.1:1/%0aalert(1)'],
    ['over 512 characters', `http://127.0.0.1:1/${'a'.repeat(600)}`],
  ])('refuses %s', (_name, uri) => {
    expect(loopbackRedirectUri(uri)).toBeUndefined();
  });
});

describe('withResponseParams', () => {
  it('adds the authorization response parameters and leaves out the undefined ones', () => {
    const url = new URL(withResponseParams('http://127.0.0.1:1/cb', { code: 'c&d', state: 's t', iss: 'https://broker.example.com', error: undefined }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ code: 'c&d', state: 's t', iss: 'https://broker.example.com' });
    expect(url.pathname).toBe('/cb');
  });
});
