import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const viewerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const cspOf = (response: Response): Map<string, string> =>
  new Map(
    (response.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );

describe('GET /docs', () => {
  it('serves the viewer page under a CSP whose only scripts carry this answer’s nonce', async () => {
    const [first, second] = await Promise.all([
      fetch(`${server.url}/docs`),
      fetch(`${server.url}/docs`),
    ]);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await first.text();
    const csp = cspOf(first);
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp.get('script-src') ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(first.headers.get('content-security-policy')).not.toMatch(/unsafe-eval|https?:|\*/);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toHaveLength(2);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(cspOf(second).get('script-src')).not.toBe(csp.get('script-src'));
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the viewer’s files from swagger-ui-dist, by hashed name, cached for a year', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(docs\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(3);
    for (const [asset, file] of [
      [assets.find((a) => a?.endsWith('.js')), 'swagger-ui-bundle.js'],
      [assets.find((a) => a?.endsWith('.css')), 'swagger-ui.css'],
    ] as const) {
      const response = await fetch(`${server.url}/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const served = Buffer.from(await response.arrayBuffer());
      expect(served.equals(readFileSync(join(viewerDir, file))), asset).toBe(true);
    }
    for (const name of ['swagger-ui-bundle.js', '..%2Fpackage.json', 'index.html']) {
      const response = await fetch(`${server.url}/docs/assets/${name}`);
      expect(response.status, name).toBe(404);
    }
  });

  it('is off with GATEHOUSE_DOCS=false, and /openapi.json stays', async () => {
    expect(loadSettings({ env: { GATEHOUSE_DOCS: 'false' } }).docs.enabled).toBe(false);
    expect(loadSettings({ env: {} }).docs.enabled).toBe(true);
    const off = await startTestServer({ settings: { docs: { enabled: false } } });
    try {
      expect((await fetch(`${off.url}/docs`)).status).toBe(404);
      expect((await fetch(`${off.url}/openapi.json`)).status).toBe(200);
    } finally {
      await off.stop();
    }
  });
});
