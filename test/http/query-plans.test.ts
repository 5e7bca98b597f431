import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredRows } from '../../src/store/purge.js';
import { listAuditEvents } from '../../src/store/repositories/audit-events.js';
import {
  findLiveSessionByTokenHash,
  listLiveSessions,
  pageLiveSessions,
} from '../../src/store/repositories/sessions.js';
import { listUsers } from '../../src/store/repositories/users.js';
import { claimDueDeliveries } from '../../src/store/repositories/webhook-deliveries.js';
import type { Db } from '../../src/store/schema.js';
import { expectIndexed, planOf, recordQueries } from '../helpers/query-plan.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { purge: { intervalSeconds: 0 } } });
});
afterAll(async () => server.stop());

/** The plans of every query `run` makes through the repositories. */
async function plansOf(run: (db: Db) => Promise<unknown>): Promise<string[][]> {
  const recorded = recordQueries(server.core.store.db);
  await run(recorded.db);
  expect(recorded.queries.length).toBeGreaterThan(0);
  return Promise.all(recorded.queries.map((q) => planOf(server.core.store, q)));
}

const first = async (run: (db: Db) => Promise<unknown>) => (await plansOf(run))[0] ?? [];
const at = 1_750_000_000_000;
const from = { at, id: '4a9d2c1e-0000-4000-8000-000000000000' };

describe('hot queries read an index (SQLite EXPLAIN QUERY PLAN; PostgreSQL EXPLAIN)', () => {
  it('/admin/audit?userId=… (first and later pages)', async () => {
    for (const page of [{ limit: 100 }, { limit: 100, from: { at, id: '42' } }]) {
      const plan = await first((db) => listAuditEvents(db, { userId: 'u' }, page));
      expectIndexed(plan, 'audit_events_user_at_idx', { inOrder: true });
    }
  });

  it('/admin/audit?type=… (first and later pages)', async () => {
    for (const page of [{ limit: 100 }, { limit: 100, from: { at, id: '42' } }]) {
      const plan = await first((db) => listAuditEvents(db, { type: 'login' }, page));
      expectIndexed(plan, 'audit_events_type_at_idx', { inOrder: true });
    }
  });

  // On an empty table PostgreSQL may walk the (at, id) index for the range instead: in order either way.
  it('/admin/audit with outcome and a time range: an index read in order, the range on its `at`', async () => {
    const range = { outcome: 'failure', from: at - 86_400_000, to: at } as const;
    for (const [filter, index] of [
      [{ ...range, userId: 'u' }, 'audit_events_user_at_idx|audit_events_at_id_idx'],
      [{ ...range, type: 'login' }, 'audit_events_type_at_idx|audit_events_at_id_idx'],
      [range, 'audit_events_at_id_idx'],
    ] as const) {
      const plan = await first((db) =>
        listAuditEvents(db, filter, { limit: 100, from: { at, id: '42' } }),
      );
      expectIndexed(plan, index, { inOrder: true });
    }
  });

  it('/admin/audit unfiltered, newest first', async () => {
    const plan = await first((db) =>
      listAuditEvents(db, {}, { limit: 100, from: { at, id: '42' } }),
    );
    expectIndexed(plan, 'audit_events_at_id_idx', { inOrder: true });
  });

  it('/admin/users: a deep page costs what the first costs (no sort, no offset)', async () => {
    for (const page of [{ limit: 100 }, { limit: 100, from: { key: at, id: from.id } }]) {
      for (const order of ['asc', 'desc'] as const) {
        const view = { sort: 'created', order, dialect: server.core.store.dialect } as const;
        const [users] = await plansOf((db) => listUsers(db, page, view));
        expectIndexed(users ?? [], 'users_created_idx', { inOrder: true });
      }
    }
  });

  it('/admin/users by email, either way, and an email-prefix search: an index range, no sort', async () => {
    const dialect = server.core.store.dialect;
    const emailIndex = dialect === 'postgres' ? 'users_email_c_idx' : 'sqlite_autoindex_users_2';
    const later = { key: 'm@example.com', id: from.id };
    for (const order of ['asc', 'desc'] as const) {
      for (const page of [{ limit: 100 }, { limit: 100, from: later }]) {
        for (const emailPrefix of [undefined, 'mar']) {
          const view = { sort: 'email', order, emailPrefix, dialect } as const;
          const [users] = await plansOf((db) => listUsers(db, page, view));
          expectIndexed(users ?? [], emailIndex, { inOrder: true });
        }
      }
    }
    // By creation, a search reads the prefix's range of the email index and sorts only its matches.
    const view = { sort: 'created', order: 'desc', emailPrefix: 'mar', dialect } as const;
    const [search] = await plansOf((db) => listUsers(db, { limit: 100 }, view));
    expectIndexed(search ?? [], `${emailIndex}|users_created_idx`);
  });

  it("a user's live sessions: listing, paging and the cap", async () => {
    for (const run of [
      (db: Db) => pageLiveSessions(db, 'u', at, { limit: 50 }),
      (db: Db) => pageLiveSessions(db, 'u', at, { limit: 50, from }),
      (db: Db) => listLiveSessions(db, 'u', at),
    ]) {
      expectIndexed(await first(run), 'sessions_user_idle_idx');
    }
    expectIndexed(
      await first((db) => findLiveSessionByTokenHash(db, 'h', at)),
      'sessions_token_hash_key|sqlite_autoindex_sessions_2',
    );
  });

  it('the webhook sender claims due deliveries through the index of unfinished ones', async () => {
    const claim = { now: at, leaseUntil: at + 1, leaseToken: 't', endpoints: ['app'], limit: 20 };
    const plan = await first((db) => claimDueDeliveries(db, server.core.store.dialect, claim));
    expectIndexed(plan, 'webhook_deliveries_due_idx');
  });

  it('the purge: every batch finds its rows by an expiry index', async () => {
    const plans = await plansOf((db) =>
      purgeExpiredRows(db, { expiredBefore: at, batchSize: 1000, maxBatchesPerRun: 5 }),
    );
    expect(plans).toHaveLength(11);
    const [
      refreshTokens,
      sessions,
      oneTimeTokens,
      apiKeys,
      loginChallenges,
      totpSetups,
      smsCodes,
      webauthnChallenges,
      oidcLogins,
      oauthPayloads,
      webhookDeliveries,
    ] = plans;
    expectIndexed(refreshTokens ?? [], 'sessions_idle_idx');
    expectIndexed(refreshTokens ?? [], 'refresh_tokens_session_idx');
    expectIndexed(sessions ?? [], 'sessions_idle_idx');
    expectIndexed(oneTimeTokens ?? [], 'one_time_tokens_expires_idx');
    expectIndexed(apiKeys ?? [], 'api_keys_expires_idx');
    expectIndexed(loginChallenges ?? [], 'login_challenges_expires_idx');
    expectIndexed(totpSetups ?? [], 'totp_factors_pending_expires_idx');
    expectIndexed(smsCodes ?? [], 'sms_codes_expires_idx');
    expectIndexed(webauthnChallenges ?? [], 'webauthn_challenges_expires_idx');
    expectIndexed(oidcLogins ?? [], 'oidc_logins_expires_idx');
    expectIndexed(oauthPayloads ?? [], 'oauth_payloads_expires_at_idx');
    expectIndexed(webhookDeliveries ?? [], 'webhook_deliveries_created_idx');
  });
});
