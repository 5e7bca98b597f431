import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatehouseClient } from '@gatehouse/client';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

/** What the page's scripts see: the bundled package, and the client a test made with it. */
export interface AppWindow {
  gatehouse: typeof import('@gatehouse/client');
  client: GatehouseClient;
}
declare const window: AppWindow;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles `@gatehouse/client` as an app would (esbuild, from the package's
 * sources through the `gatehouse-source` condition) with `code` as the entry
 * point, which imports from it. `inputs`: the files that have code in the bundle.
 */
export async function bundleWithClient(code: string, options: { minify?: boolean } = {}) {
  const result = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2020'],
    minify: options.minify ?? false,
    conditions: ['gatehouse-source'],
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  const [meta] = Object.values(result.metafile.outputs);
  if (!output || !meta) throw new Error('esbuild wrote nothing');
  // The files that put code into the bundle (esbuild also lists those it read and shook out).
  const inputs = Object.entries(meta.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { code: output.text, inputs };
}

/** The whole package on `window.gatehouse`, for the pages' scripts. */
const PAGE_ENTRY =
  "import * as gatehouse from '@gatehouse/client'; Object.assign(window, { gatehouse });";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Client test app</title>
<script type="module" src="/app.js"></script></head>
<body><h1>Client test app</h1></body></html>`;

/** Scripts from this origin only, no eval; calls to this origin and the test's other origin. */
const csp = (connect: string) =>
  `default-src 'none'; script-src 'self'; connect-src 'self' ${connect}`;

export interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface ClientApp {
  origin: string;
  /** Every request the app's server passed on to Gatehouse, in order. */
  hits: Hit[];
  /** The hits on one path (`/auth/refresh`), any method but preflights. */
  hitsOn(path: string): Hit[];
  close(): Promise<void>;
}

const listen = (server: Server, port: number) =>
  new Promise<number>((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/**
 * A single-page app's own server, as the README's same-origin recipe has it: it
 * serves the page and its bundle, and passes everything else (`/auth/*`,
 * `/authz/*`, the JWKS) on to Gatehouse as a reverse proxy, counting what passed.
 */
export async function startClientApp(options: {
  gatehouseUrl: () => string;
  connectSrc?: string;
  /** The origin's host name: `127.0.0.1` makes it another site than `localhost`'s. */
  host?: 'localhost' | '127.0.0.1';
}): Promise<ClientApp> {
  const bundle = (await bundleWithClient(PAGE_ENTRY)).code;
  const hits: Hit[] = [];
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    if (path === '/' || path === '/app.js') {
      outgoing.writeHead(200, {
        'content-type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript',
        'content-security-policy': csp(options.connectSrc ?? ''),
      });
      outgoing.end(path === '/' ? PAGE : bundle);
      return;
    }
    hits.push({
      method: incoming.method ?? 'GET',
      path: path.split('?')[0] ?? path,
      headers: incoming.headers,
    });
    const upstream = request(
      new URL(path, options.gatehouseUrl()),
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  const port = await listen(server, 0);
  return {
    origin: `http://${options.host ?? 'localhost'}:${port}`,
    hits,
    hitsOn: (path) => hits.filter((hit) => hit.path === path && hit.method !== 'OPTIONS'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Another origin's API (a resource server of the app): answers every request
 * with the Authorization header it got, CORS open to `allowOrigin`.
 */
export async function startEchoApi(allowOrigin: () => string) {
  const seen: (string | null)[] = [];
  const server = createServer((incoming, outgoing) => {
    const cors = {
      'access-control-allow-origin': allowOrigin(),
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST',
    };
    if (incoming.method === 'OPTIONS') {
      outgoing.writeHead(204, cors).end();
      return;
    }
    seen.push(incoming.headers.authorization ?? null);
    outgoing.writeHead(200, { ...cors, 'content-type': 'application/json' });
    outgoing.end(JSON.stringify({ authorization: incoming.headers.authorization ?? null }));
  });
  const port = await listen(server, 0);
  return {
    origin: `http://localhost:${port}`,
    /** The Authorization header of every (non-preflight) request, null for none. */
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fresh browser context on the app's page, once its module script has run. */
export async function openApp(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'gatehouse' in window);
  return page;
}

/**
 * The app's page with a CDP virtual authenticator (CTAP2, built in, resident
 * keys, user verification), as test/browser/passkey-page.ts sets one up.
 */
export async function openAppWithAuthenticator(browser: Browser, origin: string): Promise<Page> {
  const page = await openApp(browser, origin);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}
