// npm run screenshots: starts Gatehouse on a throwaway SQLite data dir with a few people in it, opens
// every hosted page in Debian's headless Chromium at desktop and phone width, light and dark, and
// writes one PNG per page and look to screenshots/, so a reviewer can look without running anything.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { register } from '../src/authn/account/registration.js';
import { TOTP_DEFAULTS, totpCode } from '../src/authn/mfa/totp.js';
import { loadSettings } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { createClient } from '../src/provider/clients.js';
import { startServer } from '../src/server.js';

const PORT = Number(process.env.SCREENSHOTS_PORT ?? 18_765);
const origin = `http://localhost:${PORT}`;
const out = join(process.cwd(), 'screenshots');
const password = 'correct horse battery staple 42';
const meta = { ip: '203.0.113.7', userAgent: 'screenshots' };

type Persona = 'nobody' | 'admin' | 'second-step';

interface Shot {
  name: string;
  path: string;
  as: Persona;
}

const shots = (adminId: string, clientId: string): Shot[] => [
  { name: 'login', path: '/login', as: 'nobody' },
  { name: 'signup', path: '/signup', as: 'nobody' },
  { name: 'forgot-password', path: '/forgot-password', as: 'nobody' },
  { name: 'login-email-link', path: '/login/email-link', as: 'nobody' },
  { name: 'login-mfa', path: '/login/mfa', as: 'second-step' },
  { name: 'reset-password', path: '/reset-password?token=from-the-mail', as: 'nobody' },
  { name: 'verify-email', path: '/verify-email?token=from-the-mail', as: 'nobody' },
  { name: 'verify-email-resend', path: '/verify-email/resend', as: 'nobody' },
  { name: 'magic-link', path: '/magic-link?token=from-the-mail', as: 'nobody' },
  { name: 'not-found', path: '/no/such/page', as: 'nobody' },
  { name: 'account', path: '/account', as: 'admin' },
  { name: 'account-password', path: '/account/password', as: 'admin' },
  { name: 'account-sessions', path: '/account/sessions', as: 'admin' },
  { name: 'account-security', path: '/account/security', as: 'admin' },
  { name: 'account-api-keys', path: '/account/api-keys', as: 'admin' },
  { name: 'reauthenticate', path: '/reauthenticate', as: 'admin' },
  { name: 'admin-users', path: '/admin', as: 'admin' },
  { name: 'admin-user', path: `/admin/user/${adminId}`, as: 'admin' },
  { name: 'admin-events', path: '/admin/events', as: 'admin' },
  { name: 'admin-policy', path: '/admin/policy', as: 'admin' },
  { name: 'admin-explain', path: '/admin/explain', as: 'admin' },
  { name: 'admin-clients', path: '/admin/clients', as: 'admin' },
  { name: 'admin-client-delete', path: `/admin/clients/${clientId}/delete`, as: 'admin' },
];

const looks = [
  { width: 1280, label: 'desktop' },
  { width: 390, label: 'phone' },
] as const;

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.press('input[name=password]', 'Enter'),
  ]);
}

/** Someone with an authenticator app, stopped at the second step of signing in. */
async function enrolApp(email: string): Promise<void> {
  const login = await fetch(`${origin}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const call = (path: string, body: unknown) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie },
      body: JSON.stringify(body),
    });
  const setup = (await (await call('/auth/mfa/totp/setup', {})).json()) as { secret: string };
  await call('/auth/mfa/totp/confirm', { code: totpCode(setup.secret, TOTP_DEFAULTS, Date.now()) });
}

async function shoot(browser: Browser, list: Shot[], adminEmail: string): Promise<number> {
  let written = 0;
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const look of looks) {
      const contexts = new Map<Persona, Page>();
      for (const as of ['nobody', 'admin', 'second-step'] as const) {
        const context = await browser.newContext({
          colorScheme,
          viewport: { width: look.width, height: 900 },
          deviceScaleFactor: 1,
        });
        const page = await context.newPage();
        if (as === 'admin') await signIn(page, adminEmail);
        if (as === 'second-step') await signIn(page, 'grace@example.com');
        contexts.set(as, page);
      }
      for (const shot of list) {
        const page = contexts.get(shot.as);
        if (!page) continue;
        await page.goto(`${origin}${shot.path}`);
        const file = join(out, `${shot.name}-${look.label}-${colorScheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written += 1;
      }
      for (const page of contexts.values()) await page.context().close();
    }
  }
  return written;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-screenshots-'));
  const settings = loadSettings({
    env: {},
    flags: { nodeEnv: 'development', port: PORT, dataDir, publicUrl: origin, logLevel: 'warn' },
  });
  const server = await startServer(settings, { logger: createLogger('warn') });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const admin = await register(
      server.core,
      { email: 'admin@example.com', password, roles: ['admin'] },
      meta,
    );
    for (const name of ['ada', 'grace', 'alan', 'edsger', 'barbara'])
      await register(server.core, { email: `${name}@example.com`, password }, meta);
    await enrolApp('grace@example.com');
    const app = await createClient(server.core, {
      name: 'Billing',
      redirectUris: ['https://billing.example.com/callback'],
      postLogoutRedirectUris: ['https://billing.example.com/'],
      trusted: true,
    });
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const written = await shoot(browser, shots(admin.id, app.client_id), admin.email);
    console.log(`wrote ${written} screenshots to ${out}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
