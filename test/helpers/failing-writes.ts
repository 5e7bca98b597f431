import { sql } from 'kysely';
import type { TestServer } from './server.js';

export interface FailingWrites {
  /** The trigger's name (unique per test file). */
  name: string;
  table: string;
  event: 'INSERT' | 'UPDATE';
  /** A condition on NEW / OLD that both SQLite and PostgreSQL read alike. */
  when: string;
}

/**
 * Makes the database refuse the writes that match, as a failure half-way
 * through a change would; returns the undo. A trigger, so the server's own
 * code runs unchanged.
 */
export async function failWrites(
  server: TestServer,
  { name, table, event, when }: FailingWrites,
): Promise<() => Promise<void>> {
  const db = server.core.store.db;
  if (server.core.store.dialect === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} WHEN ${when}
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      )
      .execute(db);
    return async () => {
      await sql.raw(`DROP TRIGGER ${name}`).execute(db);
    };
  }
  await sql
    .raw(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW
       WHEN (${when}) EXECUTE FUNCTION ${name}()`,
    )
    .execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION ${name}()`).execute(db);
  };
}
