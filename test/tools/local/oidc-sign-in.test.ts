// The sign-in client's own parts: cookie jar, login-form parsing, and the refusal of http beyond loopback.

import { describe, expect, it } from 'vitest';
import { CookieJar, fillLoginForm, signInWithPassword } from '../../../tools/local/oidc-sign-in.ts';

describe('CookieJar', () => {
  it('sends a cookie only under its path and host, longest path first', () => {
    const jar = new CookieJar();
    jar.store(new URL('http://127.0.0.1:4000/auth'), ['_session=s; path=/; httponly', '_interaction=i1; path=/interaction/i1; httponly']);

    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/i1'))).toBe('_interaction=i1; _session=s');
    expect(jar.header(new URL('http://127.0.0.1:4000/interaction/i10'))).toBe('_session=s');
    expect(jar.header(new URL('http://127.0.0.1:4001/interaction/i1'))).toBe('');
  });

  it('forgets a cookie the server expires', () => {
    const jar = new CookieJar();
    const url = new URL('http://127.0.0.1:4000/');
    jar.store(url, ['a=1; path=/', 'b=2; path=/']);

    jar.store(url, ['a=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'b=; path=/; max-age=0']);

    expect(jar.header(url)).toBe('');
  });
});

describe('fillLoginForm', () => {
  const page = new URL('http://127.0.0.1:4000/interaction/abc');

  it('fills the form that has a password field and keeps hidden fields', () => {
    const html = `<form action="/search"><input name="q"></form>
      <form method="post" action="/interaction/abc/login?x=1&amp;y=2"><input type="hidden" name="csrf" value="t&quot;k">
      <input name="username" value=""><input type='password' name='password'><button type="submit">Go</button></form>`;

    const form = fillLoginForm(html, page, 'alice', 'pw');

    expect(form?.action.href).toBe('http://127.0.0.1:4000/interaction/abc/login?x=1&y=2');
    expect(Object.fromEntries(form?.fields ?? [])).toEqual({ csrf: 't"k', username: 'alice', password: 'pw' });
  });

  it('finds nothing on a page without a password field', () => {
    expect(fillLoginForm('<form><input name="q"></form>', page, 'a', 'b')).toBeUndefined();
  });
});

describe('signInWithPassword', () => {
  it('refuses an http issuer that is not on loopback before any request', async () => {
    const attempt = signInWithPassword({ issuer: 'http://idp.example.com', clientId: 'c', redirectUri: 'http://127.0.0.1:9/cb', username: 'a', password: 'b' });

    await expect(attempt).rejects.toMatchObject({ code: 'INSECURE_ISSUER' });
  });
});
