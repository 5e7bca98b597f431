// The server side of bench/auth.ts, in its own process so the load generator
// does not share its event loop: Gatehouse on SQLite plus a bare Fastify route.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { register } from '../src/authn/account/registration.js';
import { loadSettings } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';

// A benchmark logs in thousands of times from one IP; lift the limits, not the work.
const flags = (dataDir: string, session: { cacheSize?: number } = {}) => ({
  port: 0,
  dataDir,
  logLevel: 'silent' as const,
  nodeEnv: 'test' as const,
  rateLimit: { loginPerAccount: 1e9, loginPerIp: 1e9 },
  session,
  ...(process.env.HASH_CONCURRENCY
    ? { password: { hashConcurrency: Number(process.env.HASH_CONCURRENCY) } }
    : {}),
});
const newDataDir = () => mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const gatehouse = await startServer(loadSettings({ env: {}, flags: flags(newDataDir()) }), {
  logger: createLogger('silent'),
});
// The same server without the session cache: every request reads the session from the database.
const uncached = await startServer(
  loadSettings({ env: {}, flags: flags(newDataDir(), { cacheSize: 0 }) }),
  { logger: createLogger('silent') },
);
const email = 'load-test@example.com';
const password = 'a benchmark passphrase of some length';
for (const server of [gatehouse, uncached])
  await register(server.core, { email, password }, { ip: null, userAgent: 'bench' });

const bare = Fastify();
bare.get('/bare', async () => ({ ok: true }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const barePort = (bare.server.address() as { port: number }).port;

const histogram = monitorEventLoopDelay({ resolution: 1 });
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'loop:start') {
    histogram.reset();
    histogram.enable();
    process.send?.({ cmd: 'loop:started' });
  } else if (message.cmd === 'loop:stop') {
    histogram.disable();
    const ms = (ns: number) => ns / 1e6;
    process.send?.({
      cmd: 'loop',
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    });
  } else if (message.cmd === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cmd: 'cpu', micros: user + system });
  } else if (message.cmd === 'exit') {
    void Promise.all([gatehouse.close(), uncached.close(), bare.close()]).then(() =>
      process.exit(0),
    );
  }
});
process.send?.({
  cmd: 'ready',
  url: gatehouse.url.replace('localhost', '127.0.0.1'),
  uncachedUrl: uncached.url.replace('localhost', '127.0.0.1'),
  bareUrl: `http://127.0.0.1:${barePort}`,
  email,
  password,
});
