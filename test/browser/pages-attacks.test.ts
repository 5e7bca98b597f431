import { createServer, type Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { csrfFieldOf, openPage } from '../helpers/pages.js';
import type { TestServer } from '../helpers/server.js';
import { expectCleanPage, openBrowserPage, startPagesServer } from './pages.js';
import { freePort } from './passkey-page.js';

/**
 * Attacks that only a real browser can tell: framing, a cross-site form that
 * auto-submits (login CSRF, logout CSRF), and markup through a URL. The
 * attacker's site is 127.0.0.1:<port>, another site than localhost:<port>.
 */

let browser: Browser;
let server: TestServer;
let origin: string;
let evil: Server;
let evilOrigin: string;
let evilPage = '';

beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  ({ server, origin } = await startPagesServer());
  const port = await freePort();
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(evilPage);
  });
  await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
  evilOrigin = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  await server?.stop();
  await browser?.close();
});

/** A page of the attacker's that posts a form to Gatehouse as soon as it loads. */
const autoSubmitting = (action: string, fields: Record<string, string>) =>
  `<!doctype html><html><body><form id="f" method="post" action="${action}">${Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('')}</form><script>document.getElementById('f').submit()</script></body></html>`;

describe('pages against another site, in a browser', () => {
  it('cannot be framed by another site', async () => {
    evilPage = `<!doctype html><html><body><iframe id="victim" src="${origin}/login"></iframe></body></html>`;
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${evilOrigin}/frame`, { waitUntil: 'load' });
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    // Blocked by frame-ancestors: the frame holds an error document, not the sign-in form.
    expect(frame?.url()).not.toBe(`${origin}/login`);
    expect(await frame?.$('input[name="password"]')).toBeNull();
    await browserPage.context.close();
  });

  it("login CSRF: another site's auto-submitting form with the attacker's credentials and token signs nobody in", async () => {
    const attacker = await signedInUser(server);
    // The attacker's own valid pre-session token, from their own visit.
    const attackersBrowser = new Client(server.url);
    const token = csrfFieldOf((await openPage(attackersBrowser, '/login')).text);
    evilPage = autoSubmitting(`${origin}/login`, {
      _csrf: token,
      email: attacker.email,
      password: attacker.password,
      return_to: '/account',
    });
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    await page.goto(`${origin}/login`); // the victim has a form cookie of their own
    const answer = page.waitForResponse(
      (r) => r.url() === `${origin}/login` && r.request().method() === 'POST',
    );
    await page.goto(`${evilOrigin}/csrf`);
    expect((await answer).status()).toBe(403);
    await page.goto(`${origin}/login`);
    const me = await page.evaluate(() => fetch('/auth/me').then((r) => r.status));
    expect(me).toBe(401);
    await browserPage.context.close();
  });

  it("logout CSRF: another site's form with the victim's own page token (had it leaked) still cannot sign the victim out", async () => {
    const victim = await signedInUser(server);
    const browserPage = await openBrowserPage(browser);
    const { page, context } = browserPage;
    await page.goto(`${origin}/login`);
    await page.fill('input[name="email"]', victim.email);
    await page.fill('input[name="password"]', victim.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${origin}/account`);
    await page.goto(`${origin}/no-such-page`);
    const token = await page.getAttribute('meta[name="csrf-token"]', 'content');
    expect(token).toBeTruthy();
    evilPage = autoSubmitting(`${origin}/logout`, { _csrf: token ?? '' });
    const answer = page.waitForResponse(
      (r) => r.url() === `${origin}/logout` && r.request().method() === 'POST',
    );
    await page.goto(`${evilOrigin}/logout`);
    // The session cookie is SameSite=Lax (not sent on a cross-site POST) and the post is marked cross-site.
    expect((await answer).status()).toBeGreaterThanOrEqual(300);
    await page.goto(`${origin}/no-such-page`);
    const me = await page.evaluate(() => fetch('/auth/me').then((r) => r.status));
    expect(me).toBe(200);
    await context.close();
  });

  it('runs no markup that comes in through return_to, notice or the path', async () => {
    const browserPage = await openBrowserPage(browser);
    const { page } = browserPage;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const payload = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    for (const path of [
      `/login?return_to=${encodeURIComponent(`/account${payload}`)}`,
      `/login?return_to=${encodeURIComponent(`/account?x=${payload}`)}`,
      `/login?notice=${encodeURIComponent(payload)}`,
      `/${encodeURIComponent(payload)}`,
    ]) {
      await page.goto(`${origin}${path}`);
      expect(await page.$('img[src="x"]'), path).toBeNull();
      await expectCleanPage(browserPage);
    }
    expect(dialogs).toEqual([]);
    await browserPage.context.close();
  });
});
