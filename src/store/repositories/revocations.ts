import type { Insertable, Selectable } from 'kysely';
import type { Db, RevocationsTable } from '../schema.js';

export type RevocationKind = RevocationsTable['kind'];

export interface Revocation {
  /** The row id: the cursor instances keep. */
  seq: number;
  kind: RevocationKind;
  subject: string;
  cutoffAt: number;
  rolesVersion: number | null;
  untilAt: number;
}

export type NewRevocation = Omit<Revocation, 'seq'>;

const toRevocation = (row: Selectable<RevocationsTable>): Revocation => ({
  seq: Number(row.id),
  kind: row.kind,
  subject: row.subject,
  cutoffAt: row.cutoff_at,
  rolesVersion: row.roles_version,
  untilAt: row.until_at,
});

const toRow = (r: NewRevocation): Insertable<RevocationsTable> => ({
  kind: r.kind,
  subject: r.subject,
  cutoff_at: r.cutoffAt,
  roles_version: r.rolesVersion,
  until_at: r.untilAt,
});

/** Call inside the transaction that makes the change. */
export async function insertRevocations(
  db: Db,
  revocations: readonly NewRevocation[],
): Promise<Revocation[]> {
  if (revocations.length === 0) return [];
  const rows = await db
    .insertInto('revocations')
    .values(revocations.map(toRow))
    .returningAll()
    .execute();
  return rows.map(toRevocation).sort((x, y) => x.seq - y.seq);
}

/** The next page after `afterSeq`, in id order. */
export async function listRevocationsAfter(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<Revocation[]> {
  const rows = await db
    .selectFrom('revocations')
    .selectAll()
    .where('id', '>', afterSeq)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRevocation);
}

/**
 * Where a starting instance begins reading: before the oldest revocation still
 * in force, and before any id that may still be in flight. Ids are handed out
 * before commit, so a row inserted within the last `inFlightMs` may yet commit
 * below ids already visible: start after the newest row older than that (0 when
 * there is none), and the cursor waits on the holes above it.
 */
export async function startingSeq(db: Db, now: number, inFlightMs: number): Promise<number> {
  const live = await db
    .selectFrom('revocations')
    .select((eb) => eb.fn.min('id').as('seq'))
    .where('until_at', '>', now)
    .executeTakeFirst();
  const settled = await db
    .selectFrom('revocations')
    .select((eb) => eb.fn.max('id').as('seq'))
    .where('cutoff_at', '<', now - inFlightMs)
    .executeTakeFirst();
  const start = Number(settled?.seq ?? 0);
  const oldestLive = live?.seq;
  return oldestLive !== null && oldestLive !== undefined
    ? Math.min(start, Number(oldestLive) - 1)
    : start;
}

/**
 * Deletes at most `limit` rows that expired before `before`; returns how many.
 * The newest row stays, so a starting instance still knows where ids are.
 */
export async function purgeRevocations(db: Db, before: number, limit: number): Promise<number> {
  const newest = db.selectFrom('revocations').select((eb) => eb.fn.max('id').as('id'));
  const result = await db
    .deleteFrom('revocations')
    .where(
      'id',
      'in',
      db
        .selectFrom('revocations')
        .select('id')
        .where('until_at', '<', before)
        .where('id', '<', newest)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The lowest and highest ids in the table (0 for both when it is empty). */
export async function seqRange(db: Db): Promise<{ oldest: number; newest: number }> {
  const row = await db
    .selectFrom('revocations')
    .select((eb) => [eb.fn.min('id').as('oldest'), eb.fn.max('id').as('newest')])
    .executeTakeFirst();
  return { oldest: Number(row?.oldest ?? 0), newest: Number(row?.newest ?? 0) };
}
