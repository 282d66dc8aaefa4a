// A `credential_process` for the AWS CLI and SDKs: signs in to the development IdP as a demo user
// (authorization code + PKCE), exchanges the ID token at the broker's POST /token, and prints the
// credential_process JSON the broker returns. DEV ONLY: it types a demo password; real IdPs need a browser.
// Users sign in with `fbroker` (docs/cli.md); this helper stays for scripts and tests against `npm start`.
//
//   [profile broker-alice]
//   credential_process = <repo>/node_modules/.bin/node <repo>/tools/credential-process.ts --user alice --role dev-readonly
//
// Options: --broker URL (default http://127.0.0.1:3000), --issuer URL (default http://127.0.0.1:3001),
// --client-id ID (default federation-broker-local), --user NAME, --password PW (default: the demo password),
// --role ID, --duration SECONDS.

import { parseArgs } from 'node:util';
import { DEV_USERS } from './local/dev-oidc-users.ts';
import { signInWithPassword } from './local/oidc-sign-in.ts';

const fail = (message: string): never => {
  process.stderr.write(`credential-process: ${message}\n`);
  process.exit(1);
};

const { values } = parseArgs({
  options: {
    broker: { type: 'string', default: 'http://127.0.0.1:3000' },
    issuer: { type: 'string', default: 'http://127.0.0.1:3001' },
    'client-id': { type: 'string', default: 'federation-broker-local' },
    user: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    duration: { type: 'string' },
  },
});

if (!values.user) fail('--user is required (demo users: alice, bob, carol)');
const username = values.user ?? '';
const password = values.password ?? DEV_USERS.find((u) => u.username === username)?.password ?? fail(`no demo password for ${username}; pass --password`);
// Trailing slashes: the look-behind starts a match only at the first slash of a run (linear time).
const broker = values.broker.replace(/(?<!\/)\/+$/, '');

let idToken: string;
try {
  ({ idToken } = await signInWithPassword({ issuer: values.issuer, clientId: values['client-id'], redirectUri: `${broker}/oidc/callback`, username, password }));
} catch (error) {
  fail(`sign-in to ${values.issuer} failed: ${error instanceof Error ? error.message : String(error)}`);
}

const body = new URLSearchParams({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token: idToken!,
  subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
});
if (values.role) body.set('audience', values.role);
if (values.duration) body.set('duration_seconds', values.duration);

const response = await fetch(`${broker}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).catch((error: unknown) =>
  fail(`broker ${broker} unreachable: ${error instanceof Error ? error.message : String(error)}`),
);
const text = await response.text();
if (!response.ok) {
  let code = `HTTP ${response.status}`;
  try {
    const parsed = JSON.parse(text) as { code?: string; error_description?: string; request_id?: string };
    code = `${parsed.code ?? code}: ${parsed.error_description ?? ''} (request ${parsed.request_id ?? '?'})`;
  } catch {
    // not JSON: the status says enough
  }
  fail(code);
}
process.stdout.write(`${text}\n`);
