// Every page a person sees, in real headless Chromium against the local stack: sign-in at the dev IdP, the role
// picker, the CLI credentials page, the console redirect, a denied user's error page. Screenshots go to
// test-results/screenshots (ignored by git). Each page also passes axe-core's WCAG 2.1 A/AA rules.

import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, hasChromium, screenshot, useBrowserStack } from '../support/chromium.ts';

describe.skipIf(!hasChromium)('sign-in in Chromium (OIDC and SAML)', { timeout: 90_000 }, () => {
  const started = useBrowserStack();

  const context = (): Promise<BrowserContext> => started.browser.newContext({ bypassCSP: false });

  const signIn = async (page: Page, username: string, password: string): Promise<void> => {
    await page.goto(`${started.stack.url}/`);
    await page.getByRole('link', { name: /Development IdP \(OIDC\)/ }).click();
    await page.getByLabel(/user ?name/i).fill(username);
    await page.getByLabel(/password/i).fill(password);
    await page.getByRole('button', { name: /sign in|log in|continue/i }).click();
  };

  it('alice signs in, picks a role and sees CLI credentials', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${started.stack.url}/`);
    await screenshot(page, '01-landing');
    await signIn(page, 'alice', 'alice-dev-password');
    await expect.poll(() => page.url()).toContain('/oidc/callback');
    await expect(page.getByRole('heading', { name: 'Choose a role' })).toBeDefined();
    expect(await page.getByRole('radio').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, '02-role-picker');
    await page.getByLabel('Session length').selectOption('1800');
    await page.getByRole('button', { name: 'CLI credentials' }).click();
    await page.waitForURL(/\/session$/);
    const env = await page.locator('#env').textContent();
    expect(env).toMatch(/export AWS_ACCESS_KEY_ID=ASIA/);
    // The copy buttons appear only where the page's own script runs (CSP nonce): their presence proves the CSP allows it.
    await expect.poll(() => page.locator('button.copy').first().isVisible()).toBe(true);
    await screenshot(page, '03-cli-credentials');
    expect(page.url()).not.toContain('ASIA');
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await ctx.close();
  });

  it('alice opens the console (federation endpoint on loopback)', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await signIn(page, 'alice', 'alice-dev-password');
    await page.getByRole('button', { name: 'Open console' }).click();
    await page.waitForURL(/__local\/federation/);
    expect(await page.textContent('h1')).toContain('AWS console (local emulator)');
    await screenshot(page, '04-console-redirect');
    await ctx.close();
  });

  it('bob, without MFA, sees a 403 page with the code and request id', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    const responses: number[] = [];
    page.on('response', (r) => r.url().includes('/oidc/callback') && responses.push(r.status()));
    await signIn(page, 'bob', 'bob-dev-password');
    await expect.poll(() => page.url()).toContain('/oidc/callback');
    expect(responses).toContain(403);
    expect(await page.textContent('main')).toContain('NO_ROLE_GRANTED');
    expect(await page.textContent('main')).toMatch(/Request id/);
    await screenshot(page, '05-denied');
    await ctx.close();
  });

  it('the pages pass axe-core (labels, contrast, structure) in light and dark mode, and work by keyboard', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const ctx = await started.browser.newContext({ bypassCSP: true, colorScheme });
      const page = await ctx.newPage();
      await page.goto(`${started.stack.url}/`);
      expect(await accessibilityViolations(page)).toEqual([]);
      await signIn(page, 'alice', 'alice-dev-password');
      await page.waitForURL(/oidc\/callback/);
      expect(await accessibilityViolations(page)).toEqual([]);
      if (colorScheme === 'dark') await screenshot(page, '06-role-picker-dark');
      // Keyboard only: focus the first role, move to the session select, then the CLI button.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.getByRole('button', { name: 'CLI credentials' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/session$/);
      expect(await accessibilityViolations(page)).toEqual([]);
      await ctx.close();
    }
  });

  it('is usable on a phone-sized screen', async () => {
    const ctx = await started.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await signIn(page, 'alice', 'alice-dev-password');
    await page.waitForURL(/oidc\/callback/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '07-role-picker-phone');
    await ctx.close();
  });

  // One stack per process: handlers and their config are module-scoped, as in Lambda.
  it('alice signs in over SAML (SP-initiated), picks a role and sees CLI credentials', async () => {
    const ctx = await started.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${started.stack.url}/`);
    await page.getByRole('link', { name: /Development IdP \(SAML\)/ }).click();
    await page.waitForURL(/idp\/sso/);
    await screenshot(page, '10-saml-idp');
    await page.getByRole('button', { name: 'Sign in as alice' }).click();
    await page.waitForURL(/saml\/acs/);
    await screenshot(page, '11-saml-role-picker');
    await page.getByRole('button', { name: 'CLI credentials' }).click();
    await page.waitForURL(/\/session$/);
    expect(await page.locator('#env').textContent()).toMatch(/export AWS_ACCESS_KEY_ID=ASIA/);
    await screenshot(page, '12-saml-cli-credentials');
    await ctx.close();
  });

  it('bob (IdP-initiated, no MFA) sees the 403 page', async () => {
    const ctx = await started.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${new URL(started.stack.samlIdp?.ssoUrl ?? '').origin}/idp/start?user=bob`);
    await page.getByRole('button', { name: 'Sign in as bob' }).click();
    await page.waitForURL(/saml\/acs/);
    expect(await page.textContent('main')).toContain('NO_ROLE_GRANTED');
    await screenshot(page, '13-saml-denied');
    await ctx.close();
  });
});
