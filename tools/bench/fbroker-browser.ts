// A `$BROWSER` for the bench's cache-miss row (DEV ONLY): walks fbroker's loopback sign-in over plain HTTP, with a
// cookie jar, as a browser would — the broker's /cli/authorize, the development OIDC IdP's password form (alice and
// her public development password), back to fbroker's listener. Loopback only, since it types a password.
//   node tools/bench/fbroker-browser.ts URL        (fbroker appends the URL)

import { DEV_USERS } from '../local/dev-oidc-users.ts';
import { CookieJar, fillLoginForm } from '../local/oidc-sign-in.ts';

const MAX_HOPS = 20;
const start = new URL(process.argv.at(-1) ?? '');
const callback = `${start.searchParams.get('redirect_uri') ?? ''}?`;
const alice = DEV_USERS.find((u) => u.username === 'alice')!;
const jar = new CookieJar();

let url = start;
let init: RequestInit = {};
for (let hop = 0; hop < MAX_HOPS; hop += 1) {
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') break;
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  jar.store(url, response.headers.getSetCookie());
  // Back at fbroker's listener: its page says whether the sign-in worked.
  if (url.href.startsWith(callback)) process.exit(response.ok ? 0 : 1);
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    await response.body?.cancel();
    url = new URL(location, url);
    init = {};
    continue;
  }
  const form = fillLoginForm(await response.text(), url, alice.username, alice.password);
  if (form === undefined) break;
  url = form.action;
  init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.fields.toString() };
}
process.exit(1);
