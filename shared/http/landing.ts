// The landing page: one sign-in button per provider that supports browser sign-in.

import type { BrokerConfig } from '../config/index.ts';
import { html, page, type SafeHtml } from './html.ts';
import type { HttpResult } from './responses.ts';

export const landingPage = (config: BrokerConfig): HttpResult => {
  const buttons: SafeHtml[] = Object.entries(config.providers)
    .filter(([, p]) => p.type === 'saml' || p.clientId !== undefined)
    .map(([id, p]) => {
      const href = `/${p.type}/login?provider=${encodeURIComponent(id)}`;
      return html`<li><a class="button" href="${href}">Sign in with ${p.label ?? id}</a></li>`;
    });
  const list = buttons.length > 0 ? html`<ul class="plain">${buttons}</ul>` : html`<p class="muted">No provider is configured for browser sign-in.</p>`;
  return page('Sign in', html`<h1>Sign in to AWS</h1><div class="card"><p>Choose your identity provider.</p>${list}</div>
<p class="muted">Apps and the AWS CLI use <code>POST /token</code> (RFC 8693 token exchange).</p>`);
};
