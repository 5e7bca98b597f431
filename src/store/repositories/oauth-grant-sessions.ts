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

/** Who held a provider grant: the app and the user (one row per pair). */
export interface GrantHolder {
  clientId: string;
  userId: string;
}

/**
 * The apps and users of the grants given under these sessions (or to this
 * user) that the provider still keeps: a grant it already ended itself
 * (RP-initiated logout) is not counted again.
 */
export async function liveGrantHolders(
  db: Db,
  of: { sessionIds: readonly string[] } | { userId: string },
): Promise<GrantHolder[]> {
  if ('sessionIds' in of && of.sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('oauth_grant_sessions as g')
    .innerJoin('oauth_payloads as p', (join) =>
      join.onRef('p.id', '=', 'g.grant_id').on('p.model', '=', 'Grant'),
    )
    .select(['g.client_id', 'g.user_id'])
    .distinct()
    .where((eb) =>
      'sessionIds' in of
        ? eb('g.session_id', 'in', of.sessionIds)
        : eb('g.user_id', '=', of.userId),
    )
    .execute();
  return rows.map((row) => ({ clientId: row.client_id, userId: row.user_id }));
}
