import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../helpers/backend.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** `npm run seed:scale` as a process, tiny sizes. */
function seed(env: Record<string, string | undefined>) {
  const { DATABASE_URL: _, ...rest } = process.env;
  return run(
    process.execPath,
    [
      '--conditions',
      'gatehouse-source',
      '--import',
      'tsx',
      'scripts/seed-scale.ts',
      ...['--users', '300', '--sessions', '1200', '--api-keys', '250', '--chunk', '100'],
    ],
    { cwd: root, env: { ...rest, ...env }, timeout: 120_000 },
  );
}

interface Credentials {
  email: string;
  password: string;
  sessionToken: string;
  apiKey: string;
  userId: string;
  counts: { users: number; sessions: number; apiKeys: number };
}

// One half per project (nothing skipped): the real seeding on PostgreSQL, the refusal on SQLite.
if (backend === 'postgres') {
  describe('seed:scale on PostgreSQL', () => {
    let server: TestServer;
    let credentials: Credentials;
    let progress: string;
    beforeAll(async () => {
      server = await startTestServer({ realClock: true });
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-seed-'));
      try {
        const { stdout, stderr } = await seed({
          DATABASE_URL: server.core.settings.databaseUrl,
          GATEHOUSE_DATA_DIR: dataDir,
        });
        credentials = JSON.parse(stdout) as Credentials;
        progress = stderr;
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 180_000);
    afterAll(async () => server?.stop());

    const count = async (table: 'users' | 'sessions' | 'api_keys' | 'user_roles') =>
      Number(
        (
          await server.core.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('inserts the sizes asked for, with a progress line per table', async () => {
      expect(credentials.counts).toEqual({ users: 301, sessions: 1201, apiKeys: 251 });
      expect(await count('users')).toBe(301);
      expect(await count('sessions')).toBe(1201);
      expect(await count('api_keys')).toBe(251);
      expect(await count('user_roles')).toBeGreaterThan(0);
      expect(progress).toMatch(/sessions +1,200\/1,200 +[\d,]+\/s +ETA 0s/);
    });

    it('rows in the forms Gatehouse stores: argon2id hashes, SHA-256 base64url token hashes', async () => {
      const db = server.core.store.db;
      const users = await db.selectFrom('users').select('password_hash').limit(20).execute();
      for (const { password_hash } of users) expect(password_hash).toMatch(/^\$argon2id\$/);
      const sessions = await db.selectFrom('sessions').select('token_hash').limit(20).execute();
      for (const { token_hash } of sessions) expect(token_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const keys = await db
        .selectFrom('api_keys')
        .select(['id', 'secret_hash'])
        .limit(20)
        .execute();
      for (const key of keys) {
        expect(key.id).toMatch(/^[0-9a-f]{16}$/);
        expect(key.secret_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
    });

    it('the printed credentials work: password sign-in, the session cookie, the API key', async () => {
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: credentials.email, password: credentials.password }),
      });
      expect(login.status).toBe(200);
      const credentialHeaders: Array<Record<string, string>> = [
        { cookie: `__Host-gh_session=${credentials.sessionToken}` },
        { 'x-api-key': credentials.apiKey },
      ];
      for (const headers of credentialHeaders) {
        const me = await fetch(`${server.url}/auth/me`, { headers });
        expect(me.status).toBe(200);
        const body = (await me.json()) as { user: { id: string; email: string } };
        expect(body.user).toMatchObject({ id: credentials.userId, email: credentials.email });
      }
    });
  });
} else {
  describe('seed:scale on SQLite', () => {
    it('refuses clearly, exit 2', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-seed-'));
      try {
        const failure = await seed({ GATEHOUSE_DATA_DIR: dataDir }).then(
          () => null,
          (error: { code: number; stderr: string }) => error,
        );
        expect(failure?.code).toBe(2);
        expect(failure?.stderr).toMatch(/needs PostgreSQL; set DATABASE_URL/);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
