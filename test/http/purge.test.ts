import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { createApiKey } from '../../src/authn/credentials/api-key.js';
import { purgeExpired } from '../../src/authn/purge.js';
import { insertOneTimeToken } from '../../src/store/repositories/one-time-tokens.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, meWithToken, refreshWith, within } from '../helpers/tokens.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function account(server: TestServer): Promise<{ email: string; userId: string }> {
  const email = uniqueEmail('purge');
  const user = await register(
    server.core,
    { email, password: strongPassword },
    { ip: null, userAgent: 't' },
  );
  return { email, userId: user.id };
}

const count = async (server: TestServer, table: 'sessions' | 'refresh_tokens', ids: string[]) => {
  const column = table === 'sessions' ? 'id' : 'session_id';
  const row = await server.core.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
};

const sessionIdsOf = async (server: TestServer, userId: string) =>
  (
    await server.core.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .execute()
  ).map((r) => r.id);

describe('purgeExpired: bounded batches, a day of grace, live rows untouched', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Tiny batches so one run visibly stops before the backlog is gone.
    server = await startTestServer({
      settings: { purge: { intervalSeconds: 0, batchSize: 2, maxBatchesPerRun: 2 } },
    });
  });
  afterAll(async () => server.stop());

  it('removes what expired more than a day ago, keeps the recent past and the living', async () => {
    const db = server.core.store.db;
    // Five sessions (one refreshed, so its family has two tokens) left idle for good.
    const old = await account(server);
    for (let i = 0; i < 5; i++) {
      const device = await logIn(server, old.email, strongPassword);
      if (i === 0) expect((await refreshWith(server, device.refreshToken)).status).toBe(200);
    }
    const oldSessions = await sessionIdsOf(server, old.userId);
    expect(await count(server, 'refresh_tokens', oldSessions)).toBe(6);
    const expiringKey = await createApiKey(server.core, old.userId, {
      name: 'short',
      expiresAt: server.clock.now() + MINUTE,
    });
    const foreverKey = await createApiKey(server.core, old.userId, { name: 'forever' });
    for (const [hash, lifetime] of [
      ['expired-reset', 10 * MINUTE],
      ['expired-verify', 20 * MINUTE],
    ] as const) {
      await insertOneTimeToken(db, {
        tokenHash: hash,
        userId: old.userId,
        purpose: hash === 'expired-reset' ? 'password_reset' : 'email_verification',
        expiresAt: server.clock.now() + lifetime,
        now: server.clock.now(),
      });
    }

    server.clock.advance(DAY + 31 * MINUTE + 1000);

    // Ended recently (idle-expired, logged out): kept for the audit trail.
    const recent = await account(server);
    const idle = await logIn(server, recent.email, strongPassword);
    const loggedOut = await logIn(server, recent.email, strongPassword);
    expect((await loggedOut.client.post('/auth/logout')).status).toBe(204);
    server.clock.advance(31 * MINUTE);
    expect((await idle.client.get('/auth/me')).status).toBe(401);
    const recentSessions = await sessionIdsOf(server, recent.userId);
    // And one that is alive.
    const live = await account(server);
    const alive = await logIn(server, live.email, strongPassword);
    await insertOneTimeToken(db, {
      tokenHash: 'live-reset',
      userId: live.userId,
      purpose: 'password_reset',
      expiresAt: server.clock.now() + 10 * MINUTE,
      now: server.clock.now(),
    });

    const first = await purgeExpired(server.core);
    // Two batches of two per table and run: the backlog of five sessions takes two runs.
    expect(first.sessions).toBe(4);
    expect(first.refreshTokens).toBe(4);
    expect(await count(server, 'sessions', oldSessions)).toBe(1);
    const second = await purgeExpired(server.core);
    expect(second.sessions).toBe(1);
    expect(await count(server, 'sessions', oldSessions)).toBe(0);
    expect(await count(server, 'refresh_tokens', oldSessions)).toBe(0);
    expect(first.oneTimeTokens + second.oneTimeTokens).toBe(2);
    expect(first.apiKeys + second.apiKeys).toBe(1);
    const third = await purgeExpired(server.core);
    expect(third).toEqual({
      sessions: 0,
      refreshTokens: 0,
      oneTimeTokens: 0,
      apiKeys: 0,
      loginChallenges: 0,
      totpSetups: 0,
      smsCodes: 0,
      webauthnChallenges: 0,
      oidcLogins: 0,
      oauthPayloads: 0,
      webhookDeliveries: 0,
      auditEvents: 0,
    });

    expect(await count(server, 'sessions', recentSessions)).toBe(2);
    expect(await count(server, 'refresh_tokens', recentSessions)).toBe(2);
    const tokens = await db.selectFrom('one_time_tokens').select('token_hash').execute();
    const hashes = tokens.map((t) => t.token_hash);
    expect(hashes).toContain('live-reset');
    expect(hashes).not.toContain('expired-reset');
    expect(hashes).not.toContain('expired-verify');
    const keys = await db.selectFrom('api_keys').select('id').execute();
    expect(keys.map((k) => k.id)).toEqual([foreverKey.id]);
    expect(keys.map((k) => k.id)).not.toContain(expiringKey.id);

    // The living notice nothing: cookie, access token and refresh token all still work.
    expect((await alive.client.get('/auth/me')).status).toBe(200);
    expect((await meWithToken(server, alive.accessToken)).status).toBe(200);
    expect((await refreshWith(server, alive.refreshToken)).status).toBe(200);
  });
});

describe('the scheduled purge', () => {
  it('runs by itself every purge.intervalSeconds', async () => {
    const server = await startTestServer({ settings: { purge: { intervalSeconds: 1 } } });
    try {
      const { email, userId } = await account(server);
      await logIn(server, email, strongPassword);
      const ids = await sessionIdsOf(server, userId);
      expect(ids).toHaveLength(1);
      server.clock.advance(2 * DAY);
      expect(await within(5000, async () => (await count(server, 'sessions', ids)) === 0)).toBe(
        true,
      );
    } finally {
      await server.stop();
    }
  });
});
