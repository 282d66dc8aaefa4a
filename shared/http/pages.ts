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
  /** The filter (GET /session?q=…): roles that do not match are rendered hidden. */
  readonly query?: string | undefined;
  /** GET /session can re-render this picker (its ticket travels in the picker cookie): the filter works without JavaScript. */
  readonly serverFilter?: boolean | undefined;
}

/** Above this many roles the picker offers its filter. */
export const FILTER_FROM = 8;
/** A filter longer than this is cut. */
export const MAX_QUERY = 200;

/** What the filter searches (docs/accounts.md): the role id, role label, account label, name and id. Lower case. */
export const roleSearchText = (role: RoleOutcome): string =>
  [role.id, role.label ?? '', role.account?.label ?? '', role.account?.name ?? '', role.account?.id ?? ''].join(' ').toLowerCase();

/** Every whitespace-separated term of the query is a substring of the role's search text (case-insensitive). */
export const matchesQuery = (text: string, query: string): boolean =>
  query
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t !== '')
    .every((t) => text.includes(t));

interface Group {
  readonly account: RoleOutcome['account'];
  /** The account id (from the ARN when the config does not know the account). */
  readonly id: string;
  readonly roles: RoleOutcome[];
}

/** Roles grouped by account, in the order they come; a role of an account the config does not know, by its ARN's. */
const groupsOf = (roles: readonly RoleOutcome[]): Group[] => {
  const groups = new Map<string, Group>();
  for (const role of roles) {
    const id = role.account?.id ?? accountIdOf(role.arn) ?? '';
    const group = groups.get(id) ?? { account: role.account, id, roles: [] };
    group.roles.push(role);
    groups.set(id, group);
  }
  return [...groups.values()];
};

const hidden = (on: boolean): SafeHtml => new SafeHtml(on ? ' hidden' : '');

/** What the list needs to know of the filter: which roles match, which one is chosen first, whether items carry data-q. */
interface Shown {
  readonly visible: ReadonlySet<RoleOutcome>;
  readonly first: RoleOutcome | undefined;
  readonly filterable: boolean;
  readonly grouped: boolean;
}

const roleItem = (role: RoleOutcome, shown: Shown): SafeHtml => {
  const detail = shown.grouped ? role.id : `account ${accountIdOf(role.arn) ?? ''}`;
  return html`<li${hidden(!shown.visible.has(role))}${shown.filterable ? html` data-q="${roleSearchText(role)}"` : html``}><label class="role"><input type="radio" name="role" value="${role.id}"${flag(role === shown.first, ' checked')} required>
<span><strong>${role.label ?? role.id}</strong><br><span class="muted">${detail} · ${role.arn.split('/').slice(1).join('/')} · up to ${formatDuration(role.session.durationSeconds)}</span></span></label></li>`;
};

/** One fieldset per account (label, name, id; an account the config does not know by its id), roles in it. */
const accountGroup = (g: Group, shown: Shown): SafeHtml =>
  html`<fieldset class="account"${hidden(!g.roles.some((r) => shown.visible.has(r)))}><legend>${
    g.account ? html`${g.account.label ?? g.account.name} <span class="muted">${g.account.name} · ${g.account.id}</span>` : html`Account ${g.id}`
  }</legend><ul class="plain">${g.roles.map((r) => roleItem(r, shown))}</ul></fieldset>`;

/** The filter: a GET form (works without JavaScript when the server can re-render), the count, the no-match note. */
const filterBlock = (query: string, summary: string, anyVisible: boolean, serverFilter: boolean): SafeHtml =>
  html`<form method="get" action="/session" role="search" id="role-filter" class="filter"${hidden(!serverFilter)}>
<label for="q">Filter roles</label>
<p class="muted" id="q-hint">Role, account name, label or id</p>
<div class="row"><input id="q" name="q" type="search" value="${query}" autocomplete="off" spellcheck="false" aria-describedby="q-hint role-count"><button type="submit" class="secondary">Filter</button></div>
</form>
<p id="role-count" class="muted" aria-live="polite">${summary}</p>
<p id="no-match"${hidden(anyVisible)}>No role matches the filter. ${serverFilter ? html`<a href="/session">Show all roles</a>` : html``}</p>`;

export const pickerPage = (input: PickerInput, options: PageOptions = {}): HttpResult => {
  const longest = Math.max(...input.roles.map((r) => r.session.durationSeconds));
  const choices = DURATIONS.filter((d) => d <= longest);
  if (!choices.includes(longest)) choices.push(longest);
  const preferred = Math.min(input.defaultSeconds, longest);
  const query = (input.query ?? '').slice(0, MAX_QUERY);
  const visible = new Set(input.roles.filter((r) => matchesQuery(roleSearchText(r), query)));
  const grouped = input.roles.some((r) => r.account !== undefined);
  const filterable = input.roles.length > FILTER_FROM || query !== '';
  const shown: Shown = { visible, first: input.roles.find((r) => visible.has(r)), filterable, grouped };
  const groups = grouped ? groupsOf(input.roles) : [];
  const list = grouped ? groups.map((g) => accountGroup(g, shown)) : [html`<ul class="plain">${input.roles.map((r) => roleItem(r, shown))}</ul>`];
  const summary = `${visible.size} of ${input.roles.length} roles${groups.length > 0 ? ` in ${groups.length} account${groups.length === 1 ? '' : 's'}` : ''}`;
  const options_: SafeHtml[] = choices.map((d) => html`<option value="${d}"${flag(d === preferred, ' selected')}>${formatDuration(d)}</option>`);
  return page(
    'Choose a role',
    html`<h1>Choose a role</h1>
<p class="muted">Signed in as <strong>${input.who}</strong>.</p>
${filterable ? filterBlock(query, summary, visible.size > 0, input.serverFilter === true) : html``}
<form method="post" action="/session" class="card">
<input type="hidden" name="ticket" value="${input.ticket}">
${input.destination ? html`<input type="hidden" name="destination" value="${input.destination}">` : html``}
<fieldset class="roles"><legend>Role</legend>${list}</fieldset>
<label for="duration">Session length</label>
<select id="duration" name="duration">${options_}</select>
<p class="muted">Longer than a role allows is shortened to its maximum.</p>
<p><button type="submit" name="target" value="console">Open console</button>
<button type="submit" name="target" value="cli" class="secondary">CLI credentials</button></p>
</form>`,
    { ...options, ...(filterable ? { script: 'filter' as const } : {}) },
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
