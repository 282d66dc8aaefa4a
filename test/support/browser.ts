// A small scripted browser for flow tests over real HTTP: cookies per host, manual redirects, the dev IdPs'
// login forms filled in. Pages are checked as HTML text; the real-browser tests use Chromium.

import { CookieJar, fillLoginForm } from '../../tools/local/oidc-sign-in.ts';

export interface Page {
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export class MiniBrowser {
  readonly jar = new CookieJar();

  async request(url: URL | string, init: RequestInit = {}): Promise<Page> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    this.jar.store(target, response.headers.getSetCookie());
    return { url: target, status: response.status, headers: response.headers, body: await response.text() };
  }

  /** Follows redirects (and IdP login forms and auto-post SAML forms) until a page that needs a decision. */
  async navigate(url: URL | string, user?: { username: string; password: string }, stopAt?: (url: URL) => boolean): Promise<Page> {
    let page = await this.request(url);
    let loggedIn = false;
    for (let hop = 0; hop < 20; hop++) {
      const location = page.headers.get('location');
      if (page.status >= 300 && page.status < 400 && location) {
        const next = new URL(location, page.url);
        if (stopAt?.(next)) return { ...page, url: next };
        page = await this.request(next);
        continue;
      }
      const form = user && !loggedIn ? fillLoginForm(page.body, page.url, user.username, user.password) : undefined;
      if (form) {
        loggedIn = true;
        page = await this.post(form.action, form.fields);
        continue;
      }
      const samlPost = /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?name="SAMLResponse"[^>]*value="([^"]+)"[\s\S]*?<\/form>/i.exec(page.body);
      if (samlPost && !page.url.pathname.startsWith('/session')) {
        const fields = new URLSearchParams({ SAMLResponse: decodeEntities(samlPost[2] ?? '') });
        const relay = /name="RelayState"[^>]*value="([^"]*)"/i.exec(page.body);
        if (relay) fields.set('RelayState', decodeEntities(relay[1] ?? ''));
        page = await this.post(new URL(decodeEntities(samlPost[1] ?? ''), page.url), fields);
        continue;
      }
      return page;
    }
    throw new Error('too many hops');
  }

  post(url: URL | string, fields: URLSearchParams): Promise<Page> {
    return this.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
  }
}

const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|#39);/gi, (_m, e: string) => {
    const k = e.toLowerCase();
    if (k.startsWith('#x')) return String.fromCodePoint(Number.parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(Number(k.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"' } as Record<string, string>)[k] ?? '';
  });

export const formField = (html: string, name: string): string | undefined => {
  const m = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  return m ? decodeEntities(m[1] ?? '') : undefined;
};

export const radioValues = (html: string, name: string): string[] =>
  [...html.matchAll(new RegExp(`<input[^>]*type="radio"[^>]*name="${name}"[^>]*value="([^"]*)"`, 'g'))].map((m) => decodeEntities(m[1] ?? ''));

export const errorCodeOf = (html: string): string | undefined => /<dt>Error code<\/dt><dd><code>([A-Z_]+)<\/code>/.exec(html)?.[1];
