import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failWrites } from '../helpers/failing-writes.js';
import { startInstances } from '../helpers/instances.js';
import type { TestServer } from '../helpers/server.js';
import {
  claimsOf,
  logIn,
  meWithToken,
  refreshWith,
  type TokenUser,
  tokenUser,
  within,
} from '../helpers/tokens.js';

/**
 * Issue 7, defect 4: revocations were published (and applied) inside the
 * transaction, so a ban that failed and rolled back left instances refusing
 * the tokens of a user who was never banned. Here the ban's last step, its
 * audit row, is made to fail by a trigger: the whole ban must leave no trace.
 */

let a: TestServer;
let b: TestServer;
let admin: TokenUser;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ a, b, admin, stop } = await startInstances());
  await failWrites(a, {
    name: 'fail_audit',
    table: 'audit_events',
    event: 'INSERT',
    when: "NEW.type = 'user_banned'",
  });
});
afterAll(async () => stop());

describe('a ban that fails after revoking the sessions is rolled back everywhere', () => {
  it('no instance refuses the user, whose sessions and refresh tokens still work', async () => {
    const user = await tokenUser(a, { delivery: 'body' });
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);

    const ban = await admin.client.post(`/admin/users/${user.userId}/ban`, {});
    expect(ban.status).toBe(500);

    // A revocation that really happens after the failed ban: once B refuses
    // it, B has also had every message published before it.
    const other = await tokenUser(a);
    const otherSession = await logIn(a, other.email, other.password);
    const sid = String(claimsOf(otherSession.accessToken).sid);
    expect((await other.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
    expect(
      await within(
        1000,
        async () => (await meWithToken(b, otherSession.accessToken)).status === 401,
      ),
    ).toBe(true);

    expect((await meWithToken(a, user.accessToken)).status).toBe(200);
    expect((await meWithToken(b, user.accessToken)).status).toBe(200);
    const listed = await admin.client.get<{ users: Array<{ id: string; banned: boolean }> }>(
      '/admin/users?limit=500',
    );
    expect(listed.body.users.find((u) => u.id === user.userId)?.banned).toBe(false);
    const refreshed = await refreshWith(b, user.refreshToken);
    expect(refreshed.status).toBe(200);
    expect((await meWithToken(b, refreshed.body.accessToken)).status).toBe(200);
  });
});
