import type { Db, OauthGrantSessionsTable } from '../schema.js';

/** Records (or moves) the Gatehouse session a provider grant was given under. */
export async function bindGrantToSession(db: Db, row: OauthGrantSessionsTable): Promise<void> {
  await db
    .insertInto('oauth_grant_sessions')
    .values(row)
    .onConflict((oc) =>
      oc.column('grant_id').doUpdateSet({ session_id: row.session_id, user_id: row.user_id }),
    )
    .execute();
}

export const sessionOfGrant = async (db: Db, grantId: string): Promise<string | undefined> =>
  (
    await db
      .selectFrom('oauth_grant_sessions')
      .select('session_id')
      .where('grant_id', '=', grantId)
      .executeTakeFirst()
  )?.session_id;

/** Unbinds and returns the grants given under these sessions. */
export async function takeGrantsOfSessions(
  db: Db,
  sessionIds: readonly string[],
): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('oauth_grant_sessions')
    .select('grant_id')
    .where('session_id', 'in', sessionIds)
    .execute();
  const grantIds = rows.map((r) => r.grant_id);
  if (grantIds.length > 0)
    await db.deleteFrom('oauth_grant_sessions').where('grant_id', 'in', grantIds).execute();
  return grantIds;
}

export async function unbindGrantsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('oauth_grant_sessions').where('user_id', '=', userId).execute();
}
