import type { Selectable } from 'kysely';
import type { Db, IdentitiesTable } from '../schema.js';

export interface Identity {
  id: string;
  provider: string;
  subject: string;
  userId: string;
  email: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

const toIdentity = (row: Selectable<IdentitiesTable>): Identity => ({
  id: row.id,
  provider: row.provider,
  subject: row.subject,
  userId: row.user_id,
  email: row.email,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export async function findIdentity(
  db: Db,
  provider: string,
  subject: string,
): Promise<Identity | null> {
  const row = await db
    .selectFrom('identities')
    .selectAll()
    .where('provider', '=', provider)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row ? toIdentity(row) : null;
}

export async function listIdentitiesOf(db: Db, userId: string): Promise<Identity[]> {
  const rows = await db
    .selectFrom('identities')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toIdentity);
}

/** Throws a unique violation when (provider, subject) is bound already. */
export async function insertIdentity(
  db: Db,
  input: Omit<Identity, 'lastUsedAt'>,
): Promise<Identity> {
  await db
    .insertInto('identities')
    .values({
      id: input.id,
      provider: input.provider,
      subject: input.subject,
      user_id: input.userId,
      email: input.email,
      created_at: input.createdAt,
      last_used_at: null,
    })
    .execute();
  return { ...input, lastUsedAt: null };
}

export async function touchIdentity(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('identities').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** The removed identity, or null when the user has no identity with this id. */
export async function deleteIdentity(db: Db, userId: string, id: string): Promise<Identity | null> {
  const row = await db
    .deleteFrom('identities')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
  return row ? toIdentity(row) : null;
}
