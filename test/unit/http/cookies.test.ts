// The browser flows' cookies: HttpOnly always; on https Secure and the __Host- prefix (no Domain, Path=/, so a
// sibling subdomain cannot plant one); SameSite=None only where browsers accept it; a name sent twice is absent.

import { describe, expect, it } from 'vitest';
import { clearCookie, cookieName, readCookie, setCookie } from '../../../shared/http/cookies.ts';
import { httpApiEvent } from '../../../tools/lib/lambda-events.ts';

const attributes = (line: string): string[] => line.split('; ').slice(1);
const withCookies = (...cookies: string[]) => httpApiEvent('/session', { cookies });

describe('setCookie', () => {
  it('on https: the __Host- prefix, Path=/, no Domain, HttpOnly, Secure, the SameSite asked for', () => {
    const line = setCookie('fb_bid', 'v1', { secure: true, sameSite: 'Strict', maxAgeSeconds: 300 });
    expect(line.split('; ')[0]).toBe('__Host-fb_bid=v1');
    expect(attributes(line)).toEqual(['Path=/', 'Max-Age=300', 'HttpOnly', 'SameSite=Strict', 'Secure']);
  });

  it('on http (local development): no prefix and no Secure, still HttpOnly', () => {
    const line = setCookie('fb_bid', 'v1', { secure: false, sameSite: 'Lax', maxAgeSeconds: 600 });
    expect(line).toBe('fb_bid=v1; Path=/; Max-Age=600; HttpOnly; SameSite=Lax');
  });

  it('keeps SameSite=None on https (the SAML ACS is a cross-site POST)', () => {
    expect(attributes(setCookie('fb_saml', 'v', { secure: true, sameSite: 'None', maxAgeSeconds: 600 }))).toContain('SameSite=None');
  });

  it('downgrades SameSite=None to Lax on http, where browsers refuse None without Secure', () => {
    const line = setCookie('fb_saml', 'v', { secure: false, sameSite: 'None', maxAgeSeconds: 600 });
    expect(attributes(line)).toContain('SameSite=Lax');
    expect(line).not.toContain('SameSite=None');
  });
});

describe('clearCookie', () => {
  it.each([
    [true, '__Host-fb_oidc=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure'],
    [false, 'fb_oidc=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax'],
  ])('expires the cookie under the same name and attributes (secure %s)', (secure, expected) => {
    expect(clearCookie('fb_oidc', secure)).toBe(expected);
  });
});

describe('cookieName', () => {
  it('prefixes __Host- on https only', () => {
    expect([cookieName('fb_bid', true), cookieName('fb_bid', false)]).toEqual(['__Host-fb_bid', 'fb_bid']);
  });
});

describe('readCookie', () => {
  it('reads the one cookie of that name, from separate entries or one Cookie header', () => {
    expect(readCookie(withCookies('a=1', '__Host-fb_bid=v1'), 'fb_bid', true)).toBe('v1');
    expect(readCookie(withCookies('a=1; __Host-fb_bid=v1; b=2'), 'fb_bid', true)).toBe('v1');
    expect(readCookie(withCookies('fb_bid=v2'), 'fb_bid', false)).toBe('v2');
  });

  it.each([
    ['sent twice in separate entries (cookie tossing)', ['__Host-fb_bid=mine', '__Host-fb_bid=planted']],
    ['sent twice in one header', ['__Host-fb_bid=mine; __Host-fb_bid=planted']],
    ['sent twice with the same value', ['__Host-fb_bid=v', '__Host-fb_bid=v']],
    ['only without its __Host- prefix on https (a subdomain may set that one)', ['fb_bid=planted']],
    ['only as a longer name', ['x__Host-fb_bid=v', '__Host-fb_bid_x=v']],
    ['not at all', ['a=1']],
  ])('reads it as absent when %s', (_name, cookies) => {
    expect(readCookie(withCookies(...cookies), 'fb_bid', true)).toBeUndefined();
  });

  it('reads nothing from an event without cookies', () => {
    expect(readCookie(httpApiEvent('/session'), 'fb_bid', false)).toBeUndefined();
  });
});
