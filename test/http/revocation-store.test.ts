import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listRevocationsAfter,
  purgeRevocations,
  startingSeq,
} from '../../src/store/repositories/revocations.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, type TokenUser, tokenUser } from '../helpers/tokens.js';

/** What the feed passes: a row younger than this may still be in flight. */
const IN_FLIGHT_MS = 120_000;

/** The durable record behind the feed, on each backend: what a ban writes, and its purge. */
let server: TestServer;
let admin: TokenUser;
beforeAll(async () => {
  server = await startTestServer();
  admin = await tokenUser(server, { roles: ['admin'] });
});
afterAll(async () => server.stop());

describe('the revocations table', () => {
  it('records a ban as one row per session and a user cut-off, in id order', async () => {
    const user = await tokenUser(server);
    await logIn(server, user.email, user.password);
    const before = await startingSeq(server.core.store.db, server.clock.now(), IN_FLIGHT_MS);
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);

    const rows = await listRevocationsAfter(server.core.store.db, before, 100);
    expect(rows.map((r) => r.kind).sort()).toEqual(['session', 'session', 'user']);
    expect(rows.filter((r) => r.kind === 'user').map((r) => r.subject)).toEqual([user.userId]);
    const seqs = rows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const lifetimeMs = server.core.settings.tokens.accessTokenLifetimeSeconds * 1000;
    for (const row of rows) expect(row.untilAt).toBeGreaterThan(row.cutoffAt + lifetimeMs);
    // Start-up begins before the oldest revocation still in force.
    expect(await startingSeq(server.core.store.db, server.clock.now(), IN_FLIGHT_MS)).toBeLessThan(
      seqs[0] ?? 0,
    );
  });

  it('purges only expired rows, at most a batch at a time', async () => {
    const db = server.core.store.db;
    const all = await listRevocationsAfter(db, 0, 1000);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const latestUntil = Math.max(...all.map((r) => r.untilAt));
    expect(await purgeRevocations(db, server.clock.now(), 1000)).toBe(0);
    expect(await purgeRevocations(db, latestUntil + 1, 2)).toBe(2);
    expect(await listRevocationsAfter(db, 0, 1000)).toHaveLength(all.length - 2);
    // The newest row stays, so a new instance still knows where ids are (here: before it, still in force).
    expect(await purgeRevocations(db, latestUntil + 1, 1000)).toBe(all.length - 3);
    const newest = Math.max(...all.map((r) => r.seq));
    expect((await listRevocationsAfter(db, 0, 1000)).map((r) => r.seq)).toEqual([newest]);
    expect(await startingSeq(db, server.clock.now(), IN_FLIGHT_MS)).toBeLessThan(newest);
    expect(await startingSeq(db, latestUntil + 1, IN_FLIGHT_MS)).toBe(newest);
  });
});
