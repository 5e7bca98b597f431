import { backend } from './backend.js';
import { startTestServer, type TestServer } from './server.js';
import { type TokenUser, tokenUser } from './tokens.js';

/**
 * On PostgreSQL + Redis two instances share the database and the Redis
 * prefix, so a change made on A must reach B over the revocation feed. On
 * SQLite (in-memory cache, no pub/sub) one instance plays both parts.
 */
export const multiInstance = backend === 'postgres';

export interface Instances {
  a: TestServer;
  b: TestServer;
  /** An admin signed in on A. */
  admin: TokenUser;
  stop(): Promise<void>;
}

export async function startInstances(): Promise<Instances> {
  const a = await startTestServer();
  const b = multiInstance ? await startTestServer({ shareWith: a }) : a;
  return {
    a,
    b,
    admin: await tokenUser(a, { roles: ['admin'] }),
    async stop() {
      if (b !== a) await b.stop();
      await a.stop();
    },
  };
}
