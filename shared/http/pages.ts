// The role picker and the CLI credentials page: server-rendered, usable without JavaScript, escaped throughout.

import type { AwsCredentials } from '../issuance/sts.ts';
import { accountIdOf } from '../patterns.ts';
import type { RoleOutcome } from '../rules/index.ts';
import { rfc3339 } from '../time.ts';
import { html, page, SafeHtml, type PageOptions } from './html.ts';
import type { HttpResult } from './responses.ts';

const DURATIONS = [900, 1800, 3600, 7200, 14_400, 28_800, 43_200];

export const formatDuration = (seconds: number): string => {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${Math.round(seconds / 60)} min`;
};

/** A fixed attribute fragment (never built from input). */
const flag = (on: boolean, fragment: ' checked' | ' selected'): SafeHtml => new SafeHtml(on ? fragment : '');

export interface PickerInput {
  readonly ticket: string;
  readonly roles: readonly RoleOutcome[];
  readonly defaultSeconds: number;
  readonly destination?: string | undefined;
  readonly who: string;
}

export const pickerPage = (input: PickerInput, options: PageOptions = {}): HttpResult => {
  const longest = Math.max(...input.roles.map((r) => r.session.durationSeconds));
  const choices = DURATIONS.filter((d) => d <= longest);
  if (!choices.includes(longest)) choices.push(longest);
  const preferred = Math.min(input.defaultSeconds, longest);
  const roles: SafeHtml[] = input.roles.map(
    (role, i) => html`<li><label class="role"><input type="radio" name="role" value="${role.id}"${flag(i === 0, ' checked')} required>
<span><strong>${role.label ?? role.id}</strong><br><span class="muted">account ${accountIdOf(role.arn) ?? ''} · ${role.arn.split('/').slice(1).join('/')} · up to ${formatDuration(role.session.durationSeconds)}</span></span></label></li>`,
  );
  const options_: SafeHtml[] = choices.map((d) => html`<option value="${d}"${flag(d === preferred, ' selected')}>${formatDuration(d)}</option>`);
  return page(
    'Choose a role',
    html`<h1>Choose a role</h1>
<p class="muted">Signed in as <strong>${input.who}</strong>.</p>
<form method="post" action="/session" class="card">
<input type="hidden" name="ticket" value="${input.ticket}">
${input.destination ? html`<input type="hidden" name="destination" value="${input.destination}">` : html``}
<fieldset><legend>Role</legend><ul class="plain">${roles}</ul></fieldset>
<label for="duration">Session length</label>
<select id="duration" name="duration">${options_}</select>
<p class="muted">Longer than a role allows is shortened to its maximum.</p>
<p><button type="submit" name="target" value="console">Open console</button>
<button type="submit" name="target" value="cli" class="secondary">CLI credentials</button></p>
</form>`,
    options,
  );
};

export interface CredentialsPageInput {
  readonly credentials: AwsCredentials;
  readonly role: RoleOutcome;
  readonly profile: string;
}

export const credentialsPage = (input: CredentialsPageInput, options: PageOptions = {}): HttpResult => {
  const c = input.credentials;
  const expiration = rfc3339(c.expiration);
  const exports = `export AWS_ACCESS_KEY_ID=${c.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\nexport AWS_SESSION_TOKEN=${c.sessionToken}`;
  const ini = `[${input.profile}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_session_token = ${c.sessionToken}`;
  const json = JSON.stringify({ Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: expiration }, null, 2);
  const block = (id: string, title: string, body: string): SafeHtml =>
    html`<section class="card"><h2 id="${id}-title">${title}</h2><pre id="${id}" aria-labelledby="${id}-title">${body}</pre><button type="button" class="secondary copy" data-copy="${id}" hidden>Copy</button></section>`;
  return page(
    'CLI credentials',
    html`<h1>CLI credentials</h1>
<p><strong>${input.role.label ?? input.role.id}</strong> <span class="muted">(${input.role.arn})</span></p>
<p>Valid until <strong>${expiration}</strong> (${formatDuration(input.role.session.durationSeconds)}). Session name <code>${input.role.session.name}</code>.</p>
${block('env', 'Shell (bash, zsh)', exports)}
${block('ini', '~/.aws/credentials', ini)}
${block('json', 'JSON (credential_process)', json)}
<p class="muted">These credentials are shown once and never stored by the broker. <a href="/">Sign in again</a></p>`,
    { ...options, script: 'copy' },
  );
};
