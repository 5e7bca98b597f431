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

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const settings = loadSettings({
  env: {},
  flags: {
    port: 0,
    dataDir,
    logLevel: 'silent',
    nodeEnv: 'test',
    // A benchmark logs in thousands of times from one IP; lift the limits, not the work.
    rateLimit: { loginPerAccount: 1e9, loginPerIp: 1e9 },
    ...(process.env.HASH_CONCURRENCY
      ? { password: { hashConcurrency: Number(process.env.HASH_CONCURRENCY) } }
      : {}),
  },
});
const gatehouse = await startServer(settings, { logger: createLogger('silent') });
const email = 'load-test@example.com';
const password = 'a benchmark passphrase of some length';
await register(gatehouse.core, { email, password }, { ip: null, userAgent: 'bench' });

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
  } else if (message.cmd === 'exit') {
    void Promise.all([gatehouse.close(), bare.close()]).then(() => process.exit(0));
  }
});
process.send?.({
  cmd: 'ready',
  url: gatehouse.url.replace('localhost', '127.0.0.1'),
  bareUrl: `http://127.0.0.1:${barePort}`,
  email,
  password,
});
