import { sql } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { Db, TotpFactorsTable } from '../schema.js';

/** A confirmed TOTP factor as stored: the secret sealed, its parameters. */
export interface StoredTotp {
  id: string;
  secretSealed: string;
  algorithm: TotpFactorsTable['algorithm'];
  digits: number;
  periodSeconds: number;
}

/** A user as import writes it: ids chosen by the caller, the TOTP secret already sealed. */
export interface ImportedUserRecord {
  id: string;
  email: string;
  emailVerifiedAt: number | null;
  passwordHash: string | null;
  attributes: Record<string, unknown>;
  isService: boolean;
  bannedAt: number | null;
  bannedReason: string | null;
  createdAt: number;
  roles: readonly string[];
  totp: StoredTotp | null;
}

/**
 * Rows per INSERT statement: under SQLite's 32,766 bound parameters and
 * PostgreSQL's 65,535 for the widest table (users, 10 columns).
 */
const ROWS_PER_STATEMENT = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT)
    out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/** Which of these emails (already normalized) have an account. */
export async function existingEmails(db: Db, emails: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks(emails)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('users').select('email').where('email', 'in', part).execute();
    for (const row of rows) found.add(row.email);
  }
  return found;
}

/** Multi-row inserts of users, their roles and TOTP factors; call inside one transaction. */
export async function insertImportedUsers(
  db: Db,
  users: readonly ImportedUserRecord[],
  now: number,
): Promise<void> {
  for (const part of chunks(users)) {
    if (part.length === 0) continue;
    await db
      .insertInto('users')
      .values(
        part.map((user) => ({
          id: user.id,
          email: user.email,
          email_verified_at: user.emailVerifiedAt,
          password_hash: user.passwordHash,
          attributes: JSON.stringify(user.attributes),
          is_service: user.isService ? 1 : 0,
          banned_at: user.bannedAt,
          banned_reason: user.bannedReason,
          created_at: user.createdAt,
          updated_at: now,
        })),
      )
      .execute();
  }
  const roles = users.flatMap((user) =>
    [...new Set(user.roles)].map((role) => ({ user_id: user.id, role })),
  );
  for (const part of chunks(roles)) {
    if (part.length > 0) await db.insertInto('user_roles').values(part).execute();
  }
  const factors = users.flatMap((user) =>
    user.totp
      ? [
          {
            id: user.totp.id,
            user_id: user.id,
            secret_sealed: user.totp.secretSealed,
            algorithm: user.totp.algorithm,
            digits: user.totp.digits,
            period_seconds: user.totp.periodSeconds,
            created_at: now,
            confirmed_at: now,
            pending_expires_at: null,
            last_used_step: null,
            last_used_at: null,
          },
        ]
      : [],
  );
  for (const part of chunks(factors)) {
    if (part.length > 0) await db.insertInto('totp_factors').values(part).execute();
  }
}

/** A user as export reads it, hash and sealed TOTP secret included: for the operator only. */
export interface ExportedUserRecord {
  id: string;
  email: string;
  emailVerified: boolean;
  passwordHash: string | null;
  attributes: string;
  isService: boolean;
  bannedAt: number | null;
  bannedReason: string | null;
  createdAt: number;
  roles: string[];
  totp: StoredTotp | null;
}

/**
 * One keyset page of users in email order (byte order on both backends, the
 * unique index of migration 0011), after `after` when given, with their roles
 * and confirmed TOTP factor.
 */
export async function exportPage(
  db: Db,
  dialect: Dialect,
  after: string | undefined,
  limit: number,
): Promise<ExportedUserRecord[]> {
  const email = dialect === 'postgres' ? sql<string>`email collate "C"` : sql<string>`email`;
  let query = db.selectFrom('users').selectAll().orderBy(email).limit(limit);
  if (after !== undefined) query = query.where(email, '>', after);
  const rows = await query.execute();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  const roles = await db.selectFrom('user_roles').selectAll().where('user_id', 'in', ids).execute();
  const factors = await db
    .selectFrom('totp_factors')
    .selectAll()
    .where('user_id', 'in', ids)
    .where('confirmed_at', 'is not', null)
    .execute();
  const rolesByUser = new Map<string, string[]>();
  for (const row of roles)
    rolesByUser.set(row.user_id, [...(rolesByUser.get(row.user_id) ?? []), row.role]);
  const factorByUser = new Map(factors.map((row) => [row.user_id, row]));
  return rows.map((row) => {
    const factor = factorByUser.get(row.id);
    return {
      id: row.id,
      email: row.email,
      emailVerified: row.email_verified_at !== null,
      passwordHash: row.password_hash,
      attributes: row.attributes,
      isService: row.is_service === 1,
      bannedAt: row.banned_at,
      bannedReason: row.banned_reason,
      createdAt: Number(row.created_at),
      roles: (rolesByUser.get(row.id) ?? []).sort(),
      totp: factor
        ? {
            id: factor.id,
            secretSealed: factor.secret_sealed,
            algorithm: factor.algorithm,
            digits: factor.digits,
            periodSeconds: factor.period_seconds,
          }
        : null,
    };
  });
}
