// The pages of CLI sign-in: the provider choice of /cli/authorize, the device verification page (enter or check the
// code, confirm that you started this sign-in yourself), and the pages a device sign-in ends on. Server-rendered,
// usable without JavaScript, escaped throughout, like every page of the broker.

import type { BrowserProvider } from '../flows/cli-authorize.ts';
import { html, page, type PageOptions, type SafeHtml } from './html.ts';
import type { HttpResult } from './responses.ts';

/** /cli/authorize with several providers and none named: one link per provider, each the same request with `provider`. */
export const providerChoicePage = (providers: readonly BrowserProvider[], hrefOf: (provider: BrowserProvider) => string): HttpResult => {
  const links: SafeHtml[] = providers.map((p) => html`<li><a class="button" href="${hrefOf(p)}">Sign in with ${p.label}</a></li>`);
  return page(
    'Sign in for the CLI',
    html`<h1>Sign in for the command line</h1>
<div class="card"><p>The <code>fbroker</code> command on this computer asked to sign you in. Choose your identity provider.</p>
<ul class="plain">${links}</ul></div>
<p class="muted">If you did not just run <code>fbroker login</code>, close this page.</p>`,
  );
};

export interface DevicePageInput {
  /** The code from the link (XXXX-XXXX), when it carried one. */
  readonly userCode?: string | undefined;
  readonly providers: readonly BrowserProvider[];
  readonly confirmToken: string;
  /** A refusal to show above the form (a wrong code). */
  readonly problem?: string | undefined;
}

/**
 * The verification page (RFC 8628 §3.3). Device-code phishing sends a victim someone else's code: the page says plainly
 * what approving does, shows the code to compare, and only a deliberate confirmation starts the provider's sign-in.
 */
export const devicePage = (input: DevicePageInput, options: PageOptions = {}): HttpResult => {
  const buttons: SafeHtml[] = input.providers.map((p) => html`<button type="submit" name="choice" value="approve:${p.id}">Approve and sign in with ${p.label}</button> `);
  const problem = input.problem ? html`<p class="error" role="alert">${input.problem}</p>` : html``;
  return page(
    'Approve a CLI sign-in',
    html`<h1>Approve a command-line sign-in</h1>
${problem}
<div class="card">
<p><strong>Only continue if you started this sign-in yourself</strong>, just now, by running <code>fbroker login --device</code>
on a computer you control, and it shows the same code as below.</p>
<p>Approving gives that computer access to your AWS roles for as long as your broker session lasts.
If someone sent you this link or code, <strong>do not approve it</strong>: cancel it, and tell your security team.</p>
<form method="post" action="/cli/device/confirm">
<input type="hidden" name="confirm_token" value="${input.confirmToken}">
<label for="user_code">Code shown by the command</label>
<input id="user_code" name="user_code" value="${input.userCode ?? ''}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="9" required aria-describedby="code-help" placeholder="XXXX-XXXX">
<p id="code-help" class="muted">8 letters, as printed in your terminal (the dash is optional).</p>
<p>${buttons}</p>
<p><button type="submit" name="choice" value="deny" class="secondary">I did not start this — cancel it</button></p>
</form>
</div>`,
    options,
  );
};

/**
 * After the device confirmation: on to the provider's sign-in by a `Refresh` (with a link as fallback), not by a
 * redirect. A redirect would keep the navigation a form submission, and CSP `form-action 'self'` blocks a form whose
 * redirects end at another origin — the IdP's — so the confirmation would go nowhere in a real browser.
 */
export const continueToProviderPage = (provider: BrowserProvider, href: string, options: PageOptions = {}): HttpResult =>
  page(
    'Continue to sign in',
    html`<h1>Continue to sign in</h1>
<div class="card"><p>Approved. Now sign in with ${provider.label}.</p>
<p><a class="button" href="${href}">Continue to ${provider.label}</a></p></div>`,
    { ...options, headers: { ...options.headers, refresh: `0; url=${href}` } },
  );

/** Where a device sign-in ends in the browser: the CLI now collects its session. */
export const deviceApprovedPage = (userCode: string): HttpResult =>
  page(
    'CLI signed in',
    html`<h1>You are signed in on the command line</h1>
<div class="card"><p>The sign-in with code <strong><code>${userCode}</code></strong> is approved. Go back to your terminal: <code>fbroker</code> continues by itself.</p>
<p>You can close this page.</p></div>`,
  );

/** A device sign-in that was cancelled, or that the rules refuse. */
export const deviceDeniedPage = (userCode: string, reason: 'cancelled' | 'refused'): HttpResult =>
  page(
    'CLI sign-in refused',
    html`<h1>${reason === 'cancelled' ? 'Sign-in cancelled' : 'Sign-in refused'}</h1>
<div class="card"><p>${reason === 'cancelled' ? 'The sign-in' : 'No AWS role is granted to you, so the sign-in'} with code <strong><code>${userCode}</code></strong> ${reason === 'cancelled' ? 'is cancelled' : 'is refused'}. The command that asked for it gets nothing.</p></div>`,
    { status: 403 },
  );
