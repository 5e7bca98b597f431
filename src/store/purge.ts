import type { Db } from './schema.js';

export interface PurgeOptions {
  /** Rows expired before this instant go (now minus the grace period). */
  expiredBefore: number;
  /** Webhook deliveries made before this instant go, sent or not (webhooks.retentionDays); default `expiredBefore`. */
  webhookDeliveriesBefore?: number;
  batchSize: number;
  maxBatchesPerRun: number;
}

export interface PurgeCounts {
  sessions: number;
  refreshTokens: number;
  oneTimeTokens: number;
  apiKeys: number;
  loginChallenges: number;
  totpSetups: number;
  smsCodes: number;
  webauthnChallenges: number;
  oidcLogins: number;
  oauthPayloads: number;
  webhookDeliveries: number;
}

type Batch = (db: Db, before: number, size: number) => Promise<number>;

const deleted = async (query: { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> }) =>
  Number((await query.executeTakeFirst()).numDeletedRows);

/**
 * One bounded DELETE each: the ids are chosen by an index range with a LIMIT,
 * so a batch touches at most `size` rows whatever the backlog.
 *
 * A session is over once its idle expiry has passed: that expiry never
 * exceeds the absolute one, and a revoked session is never touched again, so
 * `idle_expires_at` alone finds every ended session (one index, no scan of
 * `revoked_at`). Its refresh tokens go first, in their own batches, so the
 * cascade from deleting the session has (almost) nothing left to do.
 */
const batches: Record<keyof PurgeCounts, Batch> = {
  refreshTokens: (db, before, size) =>
    deleted(
      db
        .deleteFrom('refresh_tokens')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('refresh_tokens as t')
            .innerJoin('sessions', 'sessions.id', 't.session_id')
            .select('t.id')
            .where('sessions.idle_expires_at', '<', before)
            .limit(size),
        ),
    ),
  sessions: (db, before, size) =>
    deleted(
      db
        .deleteFrom('sessions')
        .where('id', 'in', (eb) =>
          eb.selectFrom('sessions').select('id').where('idle_expires_at', '<', before).limit(size),
        ),
    ),
  oneTimeTokens: (db, before, size) =>
    deleted(
      db
        .deleteFrom('one_time_tokens')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('one_time_tokens')
            .select('id')
            .where('expires_at', '<', before)
            .limit(size),
        ),
    ),
  apiKeys: (db, before, size) =>
    deleted(
      db
        .deleteFrom('api_keys')
        .where('id', 'in', (eb) =>
          eb.selectFrom('api_keys').select('id').where('expires_at', '<', before).limit(size),
        ),
    ),
  loginChallenges: (db, before, size) =>
    deleted(
      db
        .deleteFrom('login_challenges')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('login_challenges')
            .select('id')
            .where('expires_at', '<', before)
            .limit(size),
        ),
    ),
  // Unconfirmed TOTP setups; a confirmed factor has no pending expiry and never matches.
  totpSetups: (db, before, size) =>
    deleted(
      db
        .deleteFrom('totp_factors')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('totp_factors')
            .select('id')
            .where('pending_expires_at', '<', before)
            .limit(size),
        ),
    ),
  smsCodes: (db, before, size) =>
    deleted(
      db
        .deleteFrom('sms_codes')
        .where('id', 'in', (eb) =>
          eb.selectFrom('sms_codes').select('id').where('expires_at', '<', before).limit(size),
        ),
    ),
  webauthnChallenges: (db, before, size) =>
    deleted(
      db
        .deleteFrom('webauthn_challenges')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webauthn_challenges')
            .select('id')
            .where('expires_at', '<', before)
            .limit(size),
        ),
    ),
  oidcLogins: (db, before, size) =>
    deleted(
      db
        .deleteFrom('oidc_logins')
        .where('id', 'in', (eb) =>
          eb.selectFrom('oidc_logins').select('id').where('expires_at', '<', before).limit(size),
        ),
    ),
  oauthPayloads: (db, before, size) =>
    deleted(
      db
        .deleteFrom('oauth_payloads')
        .where((eb) =>
          eb(
            eb.refTuple('model', 'id'),
            'in',
            eb
              .selectFrom('oauth_payloads as p')
              .select(['p.model', 'p.id'])
              .where('p.expires_at', '<', before)
              .limit(size)
              .$asTuple('model', 'id'),
          ),
        ),
    ),
  webhookDeliveries: (db, before, size) =>
    deleted(
      db
        .deleteFrom('webhook_deliveries')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('created_at', '<', before)
            .limit(size),
        ),
    ),
};

/** Deletes rows expired before `expiredBefore`, a few bounded batches per table; the rest waits for the next run. */
export async function purgeExpiredRows(db: Db, options: PurgeOptions): Promise<PurgeCounts> {
  const counts: PurgeCounts = {
    refreshTokens: 0,
    sessions: 0,
    oneTimeTokens: 0,
    apiKeys: 0,
    loginChallenges: 0,
    totpSetups: 0,
    smsCodes: 0,
    webauthnChallenges: 0,
    oidcLogins: 0,
    oauthPayloads: 0,
    webhookDeliveries: 0,
  };
  for (const table of Object.keys(counts) as Array<keyof PurgeCounts>) {
    for (let batch = 0; batch < options.maxBatchesPerRun; batch++) {
      const before =
        table === 'webhookDeliveries'
          ? (options.webhookDeliveriesBefore ?? options.expiredBefore)
          : options.expiredBefore;
      const count = await batches[table](db, before, options.batchSize);
      counts[table] += count;
      if (count < options.batchSize) break;
    }
  }
  return counts;
}
