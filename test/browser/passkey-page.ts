import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { defineRoute } from '../../src/http/route.js';

const require = createRequire(import.meta.url);
// The package exports no package.json; its entry point is script/index.js, the UMD bundle beside it in dist/.
const bundle = readFileSync(
  join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist/bundle/index.umd.min.js'),
  'utf8',
);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Passkeys test page</title>
<script src="/test/simplewebauthn-browser.js"></script></head>
<body><h1>Passkeys</h1></body></html>`;

/** The page scripts may come from this server only and talk to it only. */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'";

/**
 * The test page, until the hosted pages exist: an empty page that loads
 * @simplewebauthn/browser, on which the tests run each ceremony with fetch.
 * Served only by test servers (`startTestServer({ routes })`).
 */
export const passkeyPageRoutes = [
  defineRoute({
    method: 'GET',
    url: '/test/passkeys',
    access: 'public',
    summary: 'Test page',
    handler: async ({ reply }) => {
      reply.header('content-security-policy', CSP).type('text/html; charset=utf-8');
      return PAGE;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/test/simplewebauthn-browser.js',
    access: 'public',
    summary: 'SimpleWebAuthn browser bundle (UMD) for the test page',
    handler: async ({ reply }) => {
      reply.type('text/javascript; charset=utf-8');
      return bundle;
    },
  }),
];

/** A port nobody listens on right now, so the public URL can name it before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface AuthenticatorOptions {
  /** The authenticator can verify the user (PIN, biometrics) and does. */
  userVerification?: boolean;
}

export interface PasskeyPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  close(): Promise<void>;
}

/**
 * A fresh browser context on the test page at `origin`, with a CDP virtual
 * authenticator: CTAP2, built in, resident keys, user verification by default.
 */
export async function openPasskeyPage(
  browser: Browser,
  origin: string,
  options: AuthenticatorOptions = {},
): Promise<PasskeyPage> {
  const uv = options.userVerification ?? true;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/test/passkeys`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: uv,
      isUserVerified: uv,
      automaticPresenceSimulation: true,
    },
  });
  return { context, page, cdp, authenticatorId, close: () => context.close() };
}
