// Headless Debian Chromium driven by playwright-core (no browser download: .ci/run installs the `chromium`
// package). Flags keep it off the network: this machine's network is closed.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack, type StackOptions } from '../../tools/local/stack.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });

export const screenshot = async (page: Page, name: string): Promise<void> => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
};

const axeSource = (): string => {
  const require = createRequire(import.meta.url);
  return require('axe-core').source as string;
};

/** axe-core's WCAG 2 A/AA rules on the current page (the context must bypass CSP to inject it). */
export const accessibilityViolations = async (page: Page): Promise<Array<{ id: string; impact: string | null; nodes: number }>> => {
  await page.addScriptTag({ content: axeSource() });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
};

/**
 * The local stack of `npm start` (its embedded defaults: dev IdPs, dynalite, offline STS; `editConfig` changes the
 * bundled config) and one headless Chromium, for a browser test file: started in beforeAll, stopped in afterAll.
 * The returned object is filled in by beforeAll.
 */
export const useBrowserStack = (options: { readonly editConfig?: StackOptions['editConfig'] } = {}): { stack: LocalStack; browser: Browser } => {
  const started = {} as { stack: LocalStack; browser: Browser };
  beforeAll(async () => {
    delete process.env.BROKER_CONFIG;
    delete process.env.AWS_ENDPOINT_URL_STS;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    started.stack = await startLocalStack({ port: 0, host: '127.0.0.1', env: process.env, ...(options.editConfig ? { editConfig: options.editConfig } : {}) });
    started.browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await started.browser?.close();
    await started.stack?.stop();
  });
  return started;
};
