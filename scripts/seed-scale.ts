// `npm run seed:scale`: fills the PostgreSQL database of DATABASE_URL (migrated first) with
// users, sessions and API keys made by the server itself (INSERT … SELECT … generate_series, in
// chunks), in the forms Gatehouse stores, plus one user, session and key whose secrets it prints.
//   --users 1000000 --sessions 5000000 --api-keys 1000000 --chunk 50000 --out credentials.json
// (or SEED_USERS, SEED_SESSIONS, SEED_API_KEYS, SEED_CHUNK). Progress goes to stderr.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { formatApiKey } from '../src/authn/credentials/api-key-format.js';
import { loadSettings } from '../src/config/load.js';
import { hashPassword } from '../src/crypto/password-hash.js';
import { randomToken, sha256 } from '../src/crypto/random.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { insertApiKey } from '../src/store/repositories/api-keys.js';
import { insertSession } from '../src/store/repositories/sessions.js';
import { insertUser } from '../src/store/repositories/users.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: process.env.SEED_USERS ?? '1000000' },
    sessions: { type: 'string', default: process.env.SEED_SESSIONS ?? '5000000' },
    'api-keys': { type: 'string', default: process.env.SEED_API_KEYS ?? '1000000' },
    chunk: { type: 'string', default: process.env.SEED_CHUNK ?? '50000' },
    out: { type: 'string' },
  },
});
const count = (name: string, text: string | undefined, min: number): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`seed:scale: --${name} must be a whole number ≥ ${min}\n`);
    process.exit(2);
  }
  return n;
};
const users = count('users', values.users, 1);
const sessions = count('sessions', values.sessions, 0);
const apiKeys = count('api-keys', values['api-keys'], 0);
const chunk = count('chunk', values.chunk, 1);

const settings = loadSettings({ env: process.env });
if (!settings.databaseUrl) {
  // Millions of rows through one SQLite writer would take long and prove little about a deployment.
  process.stderr.write(
    'seed:scale: needs PostgreSQL; set DATABASE_URL=postgres://… (SQLite is not supported)\n',
  );
  process.exit(2);
}
const store = openStore(settings);
const db = store.db;
await migrateToLatest(store);

const DAY = 86_400_000;
const now = Date.now();
/** Marks this run's rows (ids and emails), so a second run adds to the first instead of colliding. */
const tag = randomBytes(4).toString('hex');
const { idleTimeoutSeconds, absoluteTimeoutSeconds } = settings.session;
const argon2 = {
  memoryKiB: settings.password.argon2MemoryKiB,
  timeCost: settings.password.argon2TimeCost,
  parallelism: settings.password.argon2Parallelism,
};
// Every seeded user shares one real argon2id hash of a password nobody knows.
const sharedHash = await hashPassword(randomToken(), argon2);

/** Inserts rows 1..total, `chunk` at a time, with a progress line (count, rate, ETA) on stderr. */
async function fill(
  what: string,
  total: number,
  insert: (from: number, to: number) => Promise<unknown>,
) {
  const started = Date.now();
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await insert(from, to);
    const seconds = (Date.now() - started) / 1000;
    const rate = to / Math.max(seconds, 0.001);
    process.stderr.write(
      `\r${what.padEnd(9)} ${to.toLocaleString('en')}/${total.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')}/s  ETA ${Math.round((total - to) / rate)}s   `,
    );
  }
  process.stderr.write(`\n`);
}

/**
 * Bulk-load practice: millions of random keys inserted into live btrees cost a page read
 * each once the indexes outgrow memory (sessions went in at ~5,000/s that way); built
 * afterwards, in one sort each, they cost seconds. The secondary indexes and unique
 * constraints of `tables` are dropped for `load` and recreated from their own definitions
 * (read from the catalog) after it, whatever happens; primary and foreign keys stay.
 */
async function withIndexesDeferred(tables: string[], load: () => Promise<void>): Promise<void> {
  const { rows } = await sql<{
    name: string;
    table: string;
    definition: string;
    constraint: string | null;
  }>`
    SELECT i.relname AS name, t.relname AS table,
      coalesce('ALTER TABLE ' || quote_ident(t.relname) || ' ADD CONSTRAINT ' || quote_ident(c.conname)
        || ' ' || pg_get_constraintdef(c.oid), pg_get_indexdef(i.oid)) AS definition,
      c.conname AS constraint
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
    LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
    WHERE t.relname IN (${sql.join(tables)}) AND NOT x.indisprimary
  `.execute(db);
  for (const index of rows)
    await sql
      .raw(
        index.constraint
          ? `ALTER TABLE ${quoteIdent(index.table)} DROP CONSTRAINT ${quoteIdent(index.constraint)}`
          : `DROP INDEX ${quoteIdent(index.name)}`,
      )
      .execute(db);
  try {
    await load();
  } finally {
    process.stderr.write(`indexes   rebuilding ${rows.length} on ${tables.join(', ')}\n`);
    await sql`SET maintenance_work_mem = '512MB'`.execute(db);
    for (const index of rows) await sql.raw(index.definition).execute(db);
  }
}
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

// Ids and secrets derive from (tag, kind, n), so a session can name its user without a join.
const userId = (n: ReturnType<typeof sql>) => sql`md5(${tag} || '-u-' || ${n})::uuid::text`;
const base64url = (bytes: ReturnType<typeof sql>) =>
  sql`rtrim(translate(encode(${bytes}, 'base64'), '+/', '-_'), '=')`;

await fill('users', users, (from, to) =>
  sql`
    INSERT INTO users (id, email, email_verified_at, password_hash, attributes, is_service,
      banned_at, banned_reason, created_at, updated_at, roles_version)
    SELECT ${userId(sql`g`)}, 'u' || g || '.' || ${tag} || '@scale.example',
      CASE WHEN g % 5 <> 0 THEN c END, ${sharedHash}, '{}', 0,
      CASE WHEN g % 1000 = 7 THEN c + ${DAY}::bigint END, CASE WHEN g % 1000 = 7 THEN 'seeded' END, c, c, 0
    FROM (SELECT g, (${now - 730 * DAY}::bigint + (g::float8 / ${users}::bigint) * ${729 * DAY}::bigint)::bigint AS c
          FROM generate_series(${from}::int, ${to}::int) AS g) AS s
  `.execute(db),
);
// One user in a thousand is an admin.
await sql`
  INSERT INTO user_roles (user_id, role)
  SELECT ${userId(sql`g`)}, 'admin' FROM generate_series(1, ${users}::int) AS g WHERE g % 1000 = 1
`.execute(db);

await withIndexesDeferred(['sessions', 'api_keys'], async () => {
  // Created over the last 30 days, seen since (one in five within the idle timeout, so live); cookies
  // hashed as Gatehouse hashes them (SHA-256, base64url); one in twenty logged out.
  await fill('sessions', sessions, (from, to) =>
    sql`
      INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, idle_expires_at,
        absolute_expires_at, ip, user_agent, amr, auth_time, acr, restriction, revoked_at, revoked_reason)
      SELECT md5(${tag} || '-s-' || g)::uuid::text,
        ${base64url(sql`sha256(convert_to(${tag} || '-s-' || g, 'UTF8'))`)},
        ${userId(sql`1 + (g::bigint * 7919) % ${users}::bigint`)},
        c, seen, least(seen + ${idleTimeoutSeconds * 1000}::bigint, c + ${absoluteTimeoutSeconds * 1000}::bigint),
        c + ${absoluteTimeoutSeconds * 1000}::bigint, '203.0.113.' || (g % 250),
        'Mozilla/5.0 (seeded) Firefox/' || (100 + g % 40), '["pwd"]', c, 'aal1', NULL,
        CASE WHEN g % 20 = 0 THEN seen END, CASE WHEN g % 20 = 0 THEN 'logout' END
      FROM (SELECT g, c, CASE WHEN g % 5 = 0
                    THEN greatest(c, ${now}::bigint - (random() * ${idleTimeoutSeconds * 1000}::bigint)::bigint)
                    ELSE c + (random() * (${now}::bigint - c))::bigint END AS seen
            FROM (SELECT g, ${now}::bigint - (random() * ${30 * DAY}::bigint)::bigint AS c
                  FROM generate_series(${from}::int, ${to}::int) AS g) AS t) AS s
    `.execute(db),
  );

  // Key ids are 16 hex and secrets 64 hex, as formatApiKey makes them; only SHA-256 of the secret kept.
  await fill('api keys', apiKeys, (from, to) =>
    sql`
      INSERT INTO api_keys (id, user_id, name, secret_hash, scopes, created_at, last_used_at,
        expires_at, revoked_at)
      SELECT substr(md5(${tag} || '-k-' || g), 1, 16), ${userId(sql`1 + (g::bigint * 104729) % ${users}::bigint`)},
        'seeded key ' || g,
        ${base64url(sql`sha256(convert_to(md5(${tag} || '-ks1-' || g) || md5(${tag} || '-ks2-' || g), 'UTF8'))`)},
        CASE WHEN g % 4 = 0 THEN '["users:read"]' END, c, CASE WHEN g % 2 = 0 THEN ${now}::bigint - (g % 1000) * 60000 END,
        CASE WHEN g % 3 = 0 THEN c + ${90 * DAY}::bigint END, CASE WHEN g % 25 = 0 THEN c + ${DAY}::bigint END
      FROM (SELECT g, ${now}::bigint - (random() * ${365 * DAY}::bigint)::bigint AS c
            FROM generate_series(${from}::int, ${to}::int) AS g) AS s
    `.execute(db),
  );
});

// The known ones, through Gatehouse's own repositories: the bench signs in and calls with them.
const email = `known.${tag}@scale.example`;
const password = `scale bench ${randomToken(12)}`;
const sessionToken = randomToken();
const apiKey = formatApiKey(settings.nodeEnv === 'production' ? 'live' : 'test');
const known = await db.transaction().execute(async (trx) => {
  const user = await insertUser(trx, {
    email,
    passwordHash: await hashPassword(password, argon2),
    emailVerified: true,
    now,
  });
  await insertSession(trx, {
    id: randomUUID(),
    token_hash: sha256(sessionToken),
    user_id: user.id,
    created_at: now,
    last_seen_at: now,
    idle_expires_at: now + idleTimeoutSeconds * 1000,
    absolute_expires_at: now + absoluteTimeoutSeconds * 1000,
    ip: null,
    user_agent: 'seed:scale',
    amr: '["pwd"]',
    acr: 'aal1',
    auth_time: now,
    restriction: null,
  });
  await insertApiKey(trx, {
    id: apiKey.id,
    user_id: user.id,
    name: 'seed:scale',
    secret_hash: sha256(apiKey.secret),
    scopes: null,
    created_at: now,
    expires_at: null,
  });
  return user;
});
// Vacuumed and with fresh statistics now, as a database that grew over time would be: left to
// autovacuum, the vacuum of millions of new rows would run during whatever is measured next.
await sql`VACUUM (ANALYZE) users, user_roles, sessions, api_keys`.execute(db);
await store.close();

const credentials = {
  tag,
  userId: known.id,
  email,
  password,
  sessionToken,
  apiKey: apiKey.key,
  counts: { users: users + 1, sessions: sessions + 1, apiKeys: apiKeys + 1 },
};
if (values.out)
  writeFileSync(values.out, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
process.stdout.write(`${JSON.stringify(credentials)}\n`);
