// A `$BROWSER` for fbroker's end-to-end tests: headless Debian Chromium (playwright-core, as test/support/chromium.ts
// launches it) signs a demo user in through the development IdPs of `npm start`, as a person would.
//   node cli-chromium.ts [--user alice] [--idp oidc|saml] [--cancel] [--log FILE] URL
// URL is what fbroker opens (…/cli/authorize?…, the loopback sign-in) or prints (…/cli/device?user_code=…, the device
// sign-in). Exits 0 when the sign-in reached its last page ("Signed in" at fbroker's listener, or the broker's "you are
// signed in on the command line"), 1 otherwise; with --log, each step and the last page's text go to FILE (fbroker
// gives its browser no terminal).

import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { DEV_USERS } from '../../tools/local/dev-oidc-users.ts';
import { launchChromium } from './chromium.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { user: { type: 'string', default: 'alice' }, idp: { type: 'string', default: 'oidc' }, cancel: { type: 'boolean', default: false }, log: { type: 'string' } },
});
const url = positionals.at(-1) ?? '';
const log = (line: string): void => {
  if (values.log !== undefined) appendFileSync(values.log, `${line}\n`);
};
const IDP_LABEL = values.idp === 'saml' ? 'Development IdP (SAML)' : 'Development IdP (OIDC)';

/** The development IdP's page, whichever of the two it is: the OIDC password form or the SAML user buttons. */
const signInAtIdp = async (page: Page): Promise<void> => {
  await page.waitForURL(/\/interaction\/|\/idp\/sso/);
  log(`idp: ${new URL(page.url()).pathname}`);
  if (page.url().includes('/idp/sso')) return page.getByRole('button', { name: `Sign in as ${values.user}` }).click();
  await page.getByLabel('Username').fill(values.user);
  await page.getByLabel('Password').fill(DEV_USERS.find((u) => u.username === values.user)?.password ?? 'not-a-demo-user');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
};

/** /cli/device: the code is in the field (from the link); approve with the chosen IdP, or cancel. */
const confirmDevice = async (page: Page): Promise<void> => {
  log(`device page, code ${await page.getByLabel('Code shown by the command').inputValue()}`);
  if (values.cancel) return page.getByRole('button', { name: /did not start this/ }).click();
  await page.getByRole('button', { name: `Approve and sign in with ${IDP_LABEL}` }).click();
  await signInAtIdp(page);
};

/** The loopback sign-in: maybe the broker's provider choice, then the IdP, then back to fbroker's listener. */
const authorize = async (page: Page): Promise<void> => {
  if ((await page.getByRole('heading', { name: 'Sign in for the command line' }).count()) > 0) {
    await page.getByRole('link', { name: `Sign in with ${IDP_LABEL}` }).click();
  }
  await signInAtIdp(page);
};

/** Where this sign-in ends: fbroker's loopback listener, or the broker's page after the IdP (device sign-in). */
const isLastPage = (start: URL) => (at: URL): boolean => {
  if (start.pathname !== '/cli/device') return at.href.startsWith(`${start.searchParams.get('redirect_uri')}?`);
  return values.cancel ? at.pathname === '/cli/device/confirm' : at.pathname === '/oidc/callback' || at.pathname === '/saml/acs';
};

const browser = await launchChromium();
let ok = false;
try {
  const start = new URL(url);
  const page = await browser.newPage();
  log(`open ${start.pathname}`);
  await page.goto(url);
  await (start.pathname === '/cli/device' ? confirmDevice(page) : authorize(page));
  await page.waitForURL(isLastPage(start), { waitUntil: 'load' });
  const heading = ((await page.textContent('h1')) ?? '').trim();
  log(`end: ${heading}`);
  ok = heading === 'Signed in' || heading === 'You are signed in on the command line';
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
