import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestServerOptions } from '../helpers/server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freePort } from './passkey-page.js';

/** What the scripts evaluated in the page touch (the project compiles without the DOM library). */
declare const document: {
  activeElement: { id?: string } | null;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (event: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
};
declare const window: unknown;

/** The longest any one browser step (a navigation, a click) may wait. */
const STEP_TIMEOUT_MS = 20_000;

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A test server whose public URL is the address the browser opens (passkeys and CSRF need it exact). */
export async function startPagesServer(options: TestServerOptions = {}): Promise<{
  server: TestServer;
  origin: string;
}> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await startTestServer({
    ...options,
    settings: { port, publicUrl: origin, ...options.settings },
  });
  return { server, origin };
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Every CSP violation any document of this context reported, as "directive blocked-uri". */
  cspViolations: string[];
}

/**
 * A fresh context (its own cookies) and page that records every CSP
 * violation: the event of each document, reported to the test through a
 * binding, so violations of pages already navigated away from are kept.
 */
export async function openBrowserPage(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; width?: number; javaScriptEnabled?: boolean } = {},
): Promise<BrowserPage> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: options.width ?? 1200, height: 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  // Below the test's own 30 s: a step that never completes fails naming itself, not as a timeout.
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const cspViolations: string[] = [];
  await context.exposeBinding('__reportCsp', (_source, text: string) => {
    cspViolations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCsp(text: string): void }).__reportCsp;
      report(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      cspViolations.push(message.text());
  });
  return { context, page, cspViolations };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Axe's serious and critical violations on the page as it is now, as readable lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

/** The page as it is now has no serious or critical axe violation, and the context no CSP violation. */
export async function expectCleanPage(browserPage: BrowserPage): Promise<void> {
  expect(await seriousAxeViolations(browserPage.page)).toEqual([]);
  expect(browserPage.cspViolations).toEqual([]);
}

/**
 * Waits until the element with `id` has focus without anything clicking it:
 * Chromium applies `autofocus` at its next rendering update, which on a busy
 * machine comes after the load event, and keys typed before it are lost.
 */
export async function focusArrivesOn(page: Page, id: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.id), {
      message: `focus on #${id}`,
      timeout: 10_000,
    })
    .toBe(id);
}
