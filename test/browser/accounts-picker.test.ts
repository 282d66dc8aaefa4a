// The role picker with many accounts, in real headless Chromium against the local stack (its config given 50
// accounts and 10 role templates: 500 role instances for alice): grouped by account, a filter that is instant with
// JavaScript and works without it (GET /session?q=…), usable at 375 px, and passing axe-core's WCAG 2.1 A/AA rules.

import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, hasChromium, screenshot, useBrowserStack } from '../support/chromium.ts';

const TEMPLATES = ['readonly', 'poweruser', 'admin', 'billing', 'audit', 'network', 'data-read', 'data-write', 'deploy', 'support'];
const ACCOUNTS = 50;
const name = (i: number): string => `acct-${String(i).padStart(2, '0')}`;
/** The bundled dev-* roles are in 111122223333, which none of these accounts is: grouped by that id alone. */
const PLAIN_ROLES = 3;
const TOTAL = ACCOUNTS * TEMPLATES.length + PLAIN_ROLES;

describe.skipIf(!hasChromium)('the role picker with 500 roles in 50 accounts', { timeout: 120_000 }, () => {
  const started = useBrowserStack({
    editConfig: (doc) => {
      const accounts = Object.fromEntries(Array.from({ length: ACCOUNTS }, (_, i) => [name(i), { id: String(500_000_000_000 + i), label: `Product ${i} ${i % 2 === 0 ? 'production' : 'development'}`, tags: { env: i % 2 === 0 ? 'prod' : 'dev' } }]));
      doc.set('accounts', doc.createNode(accounts));
      for (const t of TEMPLATES) doc.setIn(['roles', t], doc.createNode({ arn: `arn:aws:iam::\${account}:role/${t}`, accounts: ['*'], label: `${t[0]?.toUpperCase()}${t.slice(1)}` }));
      doc.addIn(['rules'], doc.createNode({ id: 'engineers-everywhere', roles: ['*@*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] }, Bool: { 'broker:mfa': true } }, session: { name: '${email}' } }));
    },
  });

  const signIn = async (page: Page): Promise<void> => {
    await page.goto(`${started.stack.url}/`);
    await page.getByRole('link', { name: /Development IdP \(OIDC\)/ }).click();
    await page.getByLabel(/user ?name/i).fill('alice');
    await page.getByLabel(/password/i).fill('alice-dev-password');
    await page.getByRole('button', { name: /sign in|log in|continue/i }).click();
    await page.getByRole('heading', { name: 'Choose a role' }).waitFor();
  };
  const visibleRoles = (page: Page): Promise<number> => page.locator('input[name="role"]:visible').count();

  it('groups 500 roles by account and filters them instantly with JavaScript', async () => {
    const ctx = await started.browser.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page);
    expect(await page.locator('input[name="role"]').count()).toBe(TOTAL);
    expect(await page.locator('fieldset.account').count()).toBe(ACCOUNTS + 1);
    const legends = page.locator('fieldset.account legend');
    expect(await legends.first().textContent()).toBe('Account 111122223333');
    expect(await legends.nth(1).textContent()).toBe('Product 0 production acct-00 · 500000000000');
    // With the script, the form's button is gone: typing filters, without a request.
    const url = page.url();
    expect(await page.getByRole('button', { name: 'Filter' }).isVisible()).toBe(false);
    await page.getByLabel('Filter roles').fill('acct-07');
    await expect.poll(() => visibleRoles(page)).toBe(TEMPLATES.length);
    expect(await page.locator('#role-count').textContent()).toContain(`${TEMPLATES.length} of ${TOTAL} roles`);
    expect(await page.locator('fieldset.account:visible').count()).toBe(1);
    await page.getByLabel('Filter roles').fill('DEPLOY acct-13');
    await expect.poll(() => visibleRoles(page)).toBe(1);
    await page.getByLabel('Filter roles').press('Enter');
    expect(page.url()).toBe(url);
    await page.getByLabel('Filter roles').fill('no such role');
    await expect.poll(() => page.locator('#no-match').isVisible()).toBe(true);
    await page.getByLabel('Filter roles').fill('data-write@acct-13');
    await page.locator('input[value="data-write@acct-13"]').check();
    await screenshot(page, '20-accounts-picker-filtered');
    await page.getByRole('button', { name: 'CLI credentials' }).click();
    await page.waitForURL(/\/session$/);
    expect(await page.locator('main').textContent()).toContain('arn:aws:iam::500000000013:role/data-write');
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await ctx.close();
  });

  it('filters without JavaScript: GET /session?q=… re-renders the list, and the chosen role is issued', async () => {
    const ctx = await started.browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await signIn(page);
    expect(await visibleRoles(page)).toBe(TOTAL);
    await page.getByLabel('Filter roles').fill('acct-21 audit');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/session\?q=/);
    expect(await visibleRoles(page)).toBe(1);
    expect(await page.locator('#role-count').textContent()).toContain(`1 of ${TOTAL} roles`);
    expect(await page.locator('input[name="role"]:visible').getAttribute('value')).toBe('audit@acct-21');
    expect(await page.locator('input[name="role"]:visible').isChecked()).toBe(true);
    await screenshot(page, '21-accounts-picker-no-js');
    await page.getByRole('button', { name: 'CLI credentials' }).click();
    await page.waitForURL(/\/session$/);
    expect(await page.locator('main').textContent()).toContain('arn:aws:iam::500000000021:role/audit');
    await ctx.close();
  });

  it('is usable at 375 px: no sideways scrolling, the filter in view', async () => {
    const ctx = await started.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signIn(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await page.getByLabel('Filter roles').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375 && box.y < 740).toBe(true);
    await page.getByLabel('Filter roles').fill('acct-3');
    await expect.poll(() => visibleRoles(page)).toBe(10 * TEMPLATES.length);
    await screenshot(page, '22-accounts-picker-phone');
    await ctx.close();
  });

  it('passes axe-core in light and dark mode, filtered and not', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const ctx: BrowserContext = await started.browser.newContext({ bypassCSP: true, colorScheme });
      const page = await ctx.newPage();
      await signIn(page);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.getByLabel('Filter roles').fill('acct-4');
      await expect.poll(() => visibleRoles(page)).toBeLessThan(TOTAL);
      expect(await accessibilityViolations(page)).toEqual([]);
      await ctx.close();
    }
  });
});
