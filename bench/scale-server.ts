// The server side of bench/scale.ts, in its own process so the load generator does not share its
// event loop: Gatehouse on PostgreSQL (+ Redis) as named by the environment, with one known user.
import { register } from '../src/authn/account/registration.js';
import { loadSettings } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { findUserByEmail } from '../src/store/repositories/users.js';

const settings = loadSettings({
  env: {},
  flags: {
    port: 0,
    dataDir: process.env.BENCH_DATA_DIR ?? '',
    databaseUrl: process.env.BENCH_DATABASE_URL,
    ...(process.env.BENCH_REDIS_URL
      ? { redisUrl: process.env.BENCH_REDIS_URL, redisPrefix: process.env.BENCH_REDIS_PREFIX }
      : {}),
    logLevel: 'silent',
    nodeEnv: 'test',
    // A benchmark logs in thousands of times from one IP; lift the limits, not the work.
    rateLimit: { loginPerAccount: 1e9, loginPerIp: 1e9 },
    // No purge run in the middle of a measurement.
    purge: { intervalSeconds: 0 },
  },
});
const gatehouse = await startServer(settings, { logger: createLogger('silent') });
const email = 'load-test@example.com';
const password = 'a benchmark passphrase of some length';
// The second start (after the seeding) finds it there.
if (!(await findUserByEmail(gatehouse.core.store.db, email))) {
  await register(gatehouse.core, { email, password }, { ip: null, userAgent: 'bench' });
}

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'exit') void gatehouse.close().then(() => process.exit(0));
});
process.send?.({
  cmd: 'ready',
  url: gatehouse.url.replace('localhost', '127.0.0.1'),
  email,
  password,
});
