import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredRows } from '../../src/store/purge.js';
import { grantsFor } from '../../src/store/repositories/acl-grants.js';
import {
  findApiKey,
  revokeAllApiKeys,
  revokeApiKey,
  touchApiKey,
} from '../../src/store/repositories/api-keys.js';
import {
  deleteAuditEvents,
  listAuditEvents,
  oldestAuditEventsBefore,
} from '../../src/store/repositories/audit-events.js';
import {
  consumeLoginChallenge,
  findLiveLoginChallenge,
  retireLoginChallenges,
  takeChallengeAttempt,
} from '../../src/store/repositories/login-challenges.js';
import {
  findRefreshTokenByHash,
  findSuccessor,
  markRotated,
} from '../../src/store/repositories/refresh-tokens.js';
import {
  listRevocationsAfter,
  purgeRevocations,
  seqRange,
  startingSeq,
} from '../../src/store/repositories/revocations.js';
import {
  findLiveSessionById,
  findLiveSessionByTokenHash,
  listLiveSessions,
  pageLiveSessions,
  revokeOwnSession,
  revokeUserSessions,
  touchSession,
} from '../../src/store/repositories/sessions.js';
import { countSignInFactors } from '../../src/store/repositories/sign-in-factors.js';
import { findActiveTotp } from '../../src/store/repositories/totp-factors.js';
import {
  banStateForUpdate,
  findUserByEmail,
  findUserById,
  listUsers,
  rolesOf,
  setBanned,
} from '../../src/store/repositories/users.js';
import { claimDueDeliveries } from '../../src/store/repositories/webhook-deliveries.js';
import type { Db } from '../../src/store/schema.js';
import { signedInUser } from '../helpers/accounts.js';
import { expectIndexed, planOf, recordQueries } from '../helpers/query-plan.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { purge: { intervalSeconds: 0 } } });
});
afterAll(async () => server.stop());

/** The plans of every query `run` makes through the repositories. */
async function plansOf(
  run: (db: Db) => Promise<unknown>,
  options: { sorts?: boolean } = {},
): Promise<string[][]> {
  const recorded = recordQueries(server.core.store.db);
  await run(recorded.db);
  expect(recorded.queries.length).toBeGreaterThan(0);
  return Promise.all(recorded.queries.map((q) => planOf(server.core.store, q, options)));
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

/**
 * The requests every user makes, many times a day. Plans are read with
 * sequential scans, bitmap scans and sorts priced out (see planOf), so on
 * these small tables a plan still naming a table scan means no index can
 * serve the query; `npm run bench` (bench/scale.ts) measures the same paths
 * on a million users. Index names: PostgreSQL's, then SQLite's.
 */
describe('the hot paths of every request read an index', () => {
  const pg = () => server.core.store.dialect === 'postgres';
  const name = (postgres: string, sqlite: string) => (pg() ? postgres : sqlite);
  /** A table's primary key: PostgreSQL's `<table>_pkey`; SQLite's implicit index of a text key. */
  const pkey = (table: string) => name(`${table}_pkey`, `sqlite_autoindex_${table}_1`);
  /** An INTEGER PRIMARY KEY on SQLite is the rowid itself, named by no index. */
  const rowid = (table: string) => name(`${table}_pkey`, 'INTEGER PRIMARY KEY');
  const expectAllIndexed = (plans: string[][], index: string) => {
    for (const plan of plans) expectIndexed(plan, index);
  };

  it('sign-in: the user by email, with roles; the sign-in factors', async () => {
    // No such user here, so no roles are read after it: those are rolesOf's, below.
    expectIndexed(
      await first((db) => findUserByEmail(db, 'mia@example.com')),
      name('users_email_key', 'sqlite_autoindex_users_2'),
    );
    const factors = await plansOf((db) => countSignInFactors(db, 'u'));
    expect(factors).toHaveLength(4);
    expectAllIndexed(
      factors,
      pg()
        ? 'passkeys_user_idx|totp_factors_user_idx|totp_factors_one_active_idx|sms_factors_user_id_key|identities_user_idx'
        : 'passkeys_user_idx|totp_factors_user_idx|totp_factors_one_active_idx|sqlite_autoindex_sms_factors_2|identities_user_idx',
    );
    expectIndexed(
      await first((db) => findActiveTotp(db, 'u')),
      'totp_factors_user_idx|totp_factors_one_active_idx',
    );
  });

  it('the login challenge: looked up by its hash, an attempt taken, used up; retired by user', async () => {
    expectIndexed(
      await first((db) => findLiveLoginChallenge(db, 'h', at, 5)),
      name('login_challenges_token_hash_key', 'sqlite_autoindex_login_challenges_2'),
    );
    for (const run of [
      (db: Db) => takeChallengeAttempt(db, 'c', 5),
      (db: Db) => consumeLoginChallenge(db, 'c', at),
    ]) {
      expectIndexed(await first(run), pkey('login_challenges'));
    }
    expectIndexed(
      await first((db) => retireLoginChallenges(db, 'u', at)),
      'login_challenges_user_idx',
    );
  });

  it('a session cookie: the session by token hash, by id, its touch, then its user', async () => {
    expectIndexed(
      await first((db) => findLiveSessionByTokenHash(db, 'h', at)),
      name('sessions_token_hash_key', 'sqlite_autoindex_sessions_2'),
    );
    expectIndexed(await first((db) => findLiveSessionById(db, 's', at)), pkey('sessions'));
    const session = { id: 's', absoluteExpiresAt: at + 1 } as Parameters<typeof touchSession>[1];
    expectIndexed(await first((db) => touchSession(db, session, at, 60_000)), pkey('sessions'));
    expectIndexed(await first((db) => findUserById(db, 'u')), pkey('users'));
    expectIndexed(
      await first((db) => rolesOf(db, 'u')),
      name('user_roles_pk', 'sqlite_autoindex_user_roles_1'),
    );
  });

  it('an API key: looked up by its id, touched, revoked', async () => {
    for (const run of [
      (db: Db) => findApiKey(db, '0123456789abcdef'),
      (db: Db) => touchApiKey(db, '0123456789abcdef', at),
      (db: Db) => revokeApiKey(db, 'u', '0123456789abcdef', at),
    ]) {
      expectIndexed(await first(run), pkey('api_keys'));
    }
  });

  it('a refresh: the token by hash, its successor (reuse), the rotation', async () => {
    expectIndexed(
      await first((db) => findRefreshTokenByHash(db, 'h')),
      name('refresh_tokens_token_hash_key', 'sqlite_autoindex_refresh_tokens_2'),
    );
    expectIndexed(await first((db) => findSuccessor(db, 'r')), 'refresh_tokens_parent_idx');
    expectIndexed(await first((db) => markRotated(db, 'r', at)), pkey('refresh_tokens'));
  });

  it('an ACL check (authz/check.ts): the grants of many resources of a type in one read', async () => {
    // Sorted by subject across several resources: no index gives that order, so the few grants
    // found are sorted (allowed here); priced out, PostgreSQL would walk the subject index whole.
    const [grants] = await plansOf((db) => grantsFor(db, 'document', ['d1', 'd2', 'd3']), {
      sorts: true,
    });
    expectIndexed(grants ?? [], name('acl_grants_pk', 'sqlite_autoindex_acl_grants_1'));
  });

  it('the revocation feed: the next page, the starting point, the range, the prune', async () => {
    expectIndexed(await first((db) => listRevocationsAfter(db, 42, 500)), rowid('revocations'));
    const [live, settled] = await plansOf((db) => startingSeq(db, at, 10_000));
    // min(id)/max(id) under a condition: SQLite walks its integer key from one end and stops at
    // the first match (`SEARCH revocations`, no index named); PostgreSQL does the same on the key or
    // reads the expiry index. The table holds only revocations not yet pruned.
    const minMax = name('revocations_pkey|revocations_until_idx', 'SEARCH revocations');
    expectIndexed(live ?? [], minMax);
    expectIndexed(settled ?? [], minMax);
    // Each stream subscription: both ends of the key (SQLite reads them off its small expiry index).
    expectIndexed(await first(seqRange), name('revocations_pkey', 'revocations_until_idx'));
    const purge = await first((db) => purgeRevocations(db, at, 1000));
    expectIndexed(purge, 'revocations_until_idx');
  });

  it("ban and logout: the user's row, their sessions and keys, one session", async () => {
    const { userId } = await signedInUser(server);
    const revocation = { now: at, reason: 'banned' };
    expectIndexed(await first((db) => banStateForUpdate(db, userId, pg())), pkey('users'));
    expectIndexed(
      await first((db) => setBanned(db, userId, { bannedAt: at, reason: null, now: at })),
      pkey('users'),
    );
    const [sessionsOfUser, revokeThem] = await plansOf((db) =>
      revokeUserSessions(db, userId, revocation),
    );
    expectIndexed(sessionsOfUser ?? [], 'sessions_user_idle_idx');
    expectIndexed(revokeThem ?? [], pkey('sessions'));
    const [keysOfUser] = await plansOf((db) => revokeAllApiKeys(db, userId, at));
    expectIndexed(keysOfUser ?? [], 'api_keys_user_idx');
    // Either key finds it: the id, or the few sessions of the user.
    expectIndexed(
      await first((db) => revokeOwnSession(db, userId, 's', revocation)),
      `${pkey('sessions')}|sessions_user_idle_idx`,
    );
  });

  it('/admin/users?role=…: the role index finds its holders (migration 0015)', async () => {
    for (const sort of ['created', 'email'] as const) {
      const view = {
        sort,
        order: 'asc',
        role: 'admin',
        dialect: server.core.store.dialect,
      } as const;
      const [users] = await plansOf((db) => listUsers(db, { limit: 100 }, view));
      expectIndexed(users ?? [], 'user_roles_role_user_idx');
    }
  });

  it('audit retention: the oldest events by (at, id), deleted by id', async () => {
    const batch = await first((db) => oldestAuditEventsBefore(db, at, 1000, false));
    expectIndexed(batch, 'audit_events_at_id_idx', { inOrder: true });
    if (pg()) {
      const locked = await plansOf((db) =>
        db.transaction().execute((trx) => oldestAuditEventsBefore(trx, at, 1000, true)),
      );
      expectIndexed(locked[0] ?? [], 'audit_events_at_id_idx', { inOrder: true });
    }
    expectIndexed(await first((db) => deleteAuditEvents(db, [1, 2, 3])), rowid('audit_events'));
  });
});
