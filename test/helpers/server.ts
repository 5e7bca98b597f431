import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadSettings } from '../../src/config/load.js';
import type { SettingsInput } from '../../src/config/schema.js';
import type { AppOptions } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { freshDatabase, redisUrl } from './backend.js';
import { createTestClock, realTestClock, type TestClock } from './clock.js';

export interface TestServer extends RunningServer {
  clock: TestClock;
  dataDir: string;
  /** Every log line the server wrote, as text. */
  logs: string[];
  /** Redis key prefix, shared by servers that share state. */
  cachePrefix: string;
  stop(): Promise<void>;
}

export interface TestServerOptions extends AppOptions {
  settings?: SettingsInput;
  /** Share a database and data dir with another server (multi-instance tests). */
  shareWith?: TestServer;
  /** A fixed Redis key prefix, e.g. the CLI's default when a `gatehouse serve` process shares it. */
  cachePrefix?: string;
  /**
   * The real clock instead of one moved by hand: oidc-provider keeps its own
   * time (Date.now), so the provider's tests run Gatehouse on the same time.
   */
  realClock?: boolean;
  /**
   * Listen on a port chosen up front and make `http://localhost:<port>` the
   * public URL, so the issuer is an address clients can reach (the provider's tests).
   */
  reachableIssuer?: boolean;
}

/**
 * A real server on a random port with fresh state: a temp data dir, a new
 * PostgreSQL database when the project runs on PostgreSQL, and a Redis key
 * prefix of its own.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const shared = options.shareWith;
  const dataDir = shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const database = shared
    ? { url: shared.core.settings.databaseUrl, drop: async () => {} }
    : await freshDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const port = options.reachableIssuer ? await freePort() : 0;
  const settings = loadSettings({
    env: {},
    flags: {
      nodeEnv: 'test',
      port,
      ...(options.reachableIssuer ? { publicUrl: `http://localhost:${port}` } : {}),
      dataDir,
      logLevel: 'info',
      ...(database.url ? { databaseUrl: database.url } : {}),
      ...(redisUrl() ? { redisUrl: redisUrl() } : {}),
      ...options.settings,
    },
  });
  const clock = shared?.clock ?? (options.realClock ? realTestClock() : createTestClock());
  const cachePrefix =
    shared?.cachePrefix ?? options.cachePrefix ?? `gh-test:${randomBytes(6).toString('hex')}:`;
  const server = await startServer(settings, {
    ...options,
    clock,
    logger: createLogger('info', sink),
    cachePrefix,
  }).catch(async (error: unknown) => {
    if (!shared) {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    throw error;
  });
  return {
    ...server,
    clock,
    dataDir,
    logs,
    cachePrefix,
    async stop() {
      await server.close();
      if (!shared) {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A port nothing listens on right now (the OS picks it; the server takes it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}
