import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadSettings } from '../../src/config/load.js';
import type { SettingsInput } from '../../src/config/schema.js';
import type { AppOptions } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { createGatehouse, type Gatehouse } from '../../src/server.js';
import { freshDatabase, redisUrl } from './backend.js';
import { createTestClock } from './clock.js';

export interface EmbeddedGatehouse extends Gatehouse {
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Gatehouse built to be mounted (createGatehouse), on fresh state: a temp data dir, a new
 * PostgreSQL database and a Redis prefix of its own when the project runs on them.
 */
export async function embeddedGatehouse(
  options: AppOptions & { settings?: SettingsInput } = {},
): Promise<EmbeddedGatehouse> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-embed-'));
  const database = await freshDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const settings = loadSettings({
    env: {},
    flags: {
      nodeEnv: 'test',
      dataDir,
      ...(database.url ? { databaseUrl: database.url } : {}),
      ...(redisUrl() ? { redisUrl: redisUrl() } : {}),
      ...options.settings,
    },
  });
  const gatehouse = await createGatehouse(settings, {
    ...options,
    clock: createTestClock(),
    logger: createLogger('info', sink),
    cachePrefix: `gh-test:${randomBytes(6).toString('hex')}:`,
  });
  return {
    ...gatehouse,
    logs,
    async stop() {
      await gatehouse.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Listens on a random loopback port and says where. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(`http://127.0.0.1:${address.port}`);
      else reject(new Error('no address'));
    });
  });
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
