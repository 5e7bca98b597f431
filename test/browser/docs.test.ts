import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { openBrowserPage, startPagesServer } from './pages.js';

let browser: Browser;
let server: TestServer;
let origin: string;
beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  ({ server, origin } = await startPagesServer());
});
afterAll(async () => {
  await server?.stop();
  await browser?.close();
});

describe('/docs in a browser', () => {
  it('lists the operations of /openapi.json, with no CSP violation and no request elsewhere', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page, context, cspViolations } = browserPage;
    const requested: string[] = [];
    context.on('request', (request) => {
      requested.push(request.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => {
      pageErrors.push(error.message);
    });

    await page.goto(`${origin}/docs`);
    const login = page.locator('.opblock', { hasText: '/auth/login' }).first();
    await login.waitFor();
    expect(await login.locator('.opblock-summary-method').textContent()).toBe('POST');
    expect(await page.locator('.opblock').count()).toBeGreaterThan(40);
    // The page renders the document this server serves (its version, from package.json).
    const document = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      info: { version: string };
    };
    const version = await page.locator('.info .version').first().textContent();
    expect(version?.trim()).toBe(document.info.version);

    // Opening an operation renders its responses, problems and security from the document.
    await login.locator('.opblock-summary').click();
    await page.locator('.opblock.is-open .responses-table').first().waitFor();
    const statuses = await page
      .locator('.opblock.is-open .responses-table .response-col_status')
      .allTextContents();
    expect(statuses.map((s) => s.trim())).toEqual(
      expect.arrayContaining(['200', '400', '401', '429']),
    );
    await page.locator('.btn.authorize').first().click();
    await page.locator('.auth-container').first().waitFor();
    const schemes = await page.locator('.auth-container h4').allTextContents();
    expect(schemes.join(' ')).toMatch(
      /sessionCookie.*bearerToken.*apiKey.*basic|sessionCookie[\s\S]*basic/,
    );

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) {
      expect(url.startsWith(`${origin}/`) || url.startsWith('data:'), url).toBe(true);
    }
    await context.close();
  });

  it('ignores a document or a configuration named in the address (no ?url= on our origin)', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page, context, cspViolations } = browserPage;
    const requested: string[] = [];
    context.on('request', (request) => {
      requested.push(request.url());
    });
    const elsewhere = 'https://attacker.example/spec.json';
    const query = `url=${encodeURIComponent(elsewhere)}&configUrl=${encodeURIComponent(elsewhere)}`;
    await page.goto(`${origin}/docs?${query}`);
    await page.locator('.opblock', { hasText: '/auth/login' }).first().waitFor();
    expect(requested).toContain(`${origin}/openapi.json`);
    for (const url of requested) {
      expect(url.startsWith(`${origin}/`) || url.startsWith('data:'), url).toBe(true);
    }
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
