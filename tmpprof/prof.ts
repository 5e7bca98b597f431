import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../src/authn/registration.js';
import { createSession, resolveSessionToken } from '../src/authn/sessions.js';
import { loadSettings } from '../src/config/load.js';
import { createCore } from '../src/core.js';
import { sha256 } from '../src/crypto/random.js';
import { createLogger } from '../src/logger.js';
import { findLiveSessionByTokenHash } from '../src/store/repositories/sessions.js';
import { findUserById } from '../src/store/repositories/users.js';

const core = await createCore(
  loadSettings({ env: {}, flags: { dataDir: mkdtempSync(join(tmpdir(), 'p-')) } }),
  { logger: createLogger('silent') },
);
const user = await register(
  core,
  { email: 'x@example.com', password: 'quietly humming river stones' },
  { ip: null, userAgent: null },
);
const { token } = await createSession(core, user, { ip: null, userAgent: null }, ['pwd']);
const N = 5000;
const time = async (name: string, f: () => Promise<unknown>) => {
  for (let i = 0; i < 200; i++) await f();
  const t = performance.now();
  for (let i = 0; i < N; i++) await f();
  console.log(name.padEnd(20), (((performance.now() - t) / N) * 1000).toFixed(1), 'µs');
};
await time('resolve', () => resolveSessionToken(core, token));
await time('session query', () =>
  findLiveSessionByTokenHash(core.store.db, sha256(token), Date.now()),
);
await time('findUserById', () => findUserById(core.store.db, user.id));
await time('sha256', async () => sha256(token));
await core.close();
