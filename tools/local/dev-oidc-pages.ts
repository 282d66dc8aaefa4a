// The development IdP's own pages: a plain username/password form and an error page. Every value is escaped;
// the one stylesheet is allowed by its hash, so the CSP needs no 'unsafe-inline'.

import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { DevUser } from './dev-oidc-users.ts';

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.25rem;font:inherit}.error{color:#a00;font-weight:600}.dev{background:#fff4ce;padding:.5rem}
table{border-collapse:collapse;font-size:.9rem}td{padding:.2rem .5rem;border-top:1px solid #ddd}`;

const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`;

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;

export const sendPage = (res: ServerResponse, status: number, title: string, body: string): void => {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(page(title, body));
};

export interface LoginPage {
  readonly uid: string;
  readonly clientId: string;
  readonly username?: string;
  readonly error?: string;
  readonly users: readonly DevUser[];
}

export const loginPage = (view: LoginPage): string => {
  const uid = encodeURIComponent(view.uid);
  const users = view.users.map((u) => `<tr><td>${escapeHtml(u.username)}</td><td>${escapeHtml(u.description)}</td></tr>`).join('');
  return (
    `<h1>Development IdP</h1><p class="dev">Development only: demo users with public passwords.</p>` +
    `<p>Sign in to continue to <strong>${escapeHtml(view.clientId)}</strong>.</p>` +
    (view.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(view.error)}</p>`) +
    `<form method="post" action="/interaction/${uid}/login" autocomplete="off">` +
    `<label>Username <input name="username" value="${escapeHtml(view.username ?? '')}" required autofocus></label>` +
    `<label>Password <input name="password" type="password" required></label>` +
    `<button type="submit">Sign in</button></form>` +
    `<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>` +
    `<h2>Demo users</h2><table>${users}</table>`
  );
};

export const errorPage = (message: string): string => `<h1>Development IdP</h1><p class="error" role="alert">${escapeHtml(message)}</p>`;
