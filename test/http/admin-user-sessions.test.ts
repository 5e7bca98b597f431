import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startInstances } from '../helpers/instances.js';
import { auditOf } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
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

let a: TestServer;
let b: TestServer;
let admin: TokenUser;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ a, b, admin, stop } = await startInstances());
});
afterAll(async () => stop());

interface SessionView {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
}

const sessionsOf = (userId: string) =>
  admin.client.get<{ sessions: SessionView[] }>(`/admin/users/${userId}/sessions`);

describe('GET /admin/users/:id/sessions', () => {
  it("lists the user's live sessions, without a token or hash", async () => {
    const user = await tokenUser(a, { delivery: 'body' });
    const second = await logIn(a, user.email, user.password, 'body');
    const listed = await sessionsOf(user.userId);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((s) => s.id).sort()).toEqual(
      [String(claimsOf(second.accessToken).sid), String(claimsOf(user.accessToken).sid)].sort(),
    );
    expect(listed.text).not.toContain(user.refreshToken);
    expect(listed.text).not.toMatch(/token_?hash|tokenHash/i);
  });

  it('unknown user → 404; a non-admin → 403', async () => {
    expectProblem(await sessionsOf(randomUUID()), 404, 'not_found');
    const { client, userId } = await signedInUser(a);
    expectProblem(await client.get(`/admin/users/${userId}/sessions`), 403, 'forbidden');
  });
});

describe('DELETE /admin/users/:id/sessions/:sessionId', () => {
  it('ends that session only, at once on every instance, audited once', async () => {
    const user = await tokenUser(a, { delivery: 'body' });
    const other = await logIn(a, user.email, user.password, 'body');
    const sid = String(claimsOf(user.accessToken).sid);
    const response = await admin.client.delete(`/admin/users/${user.userId}/sessions/${sid}`);
    expect(response.status).toBe(204);
    expect(
      await within(1000, async () => (await meWithToken(b, user.accessToken)).status === 401),
    ).toBe(true);
    expect((await refreshWith(a, user.refreshToken)).status).toBe(401);
    expect((await meWithToken(b, other.accessToken)).status).toBe(200);
    expect((await sessionsOf(user.userId)).body.sessions.map((s) => s.id)).toEqual([
      String(claimsOf(other.accessToken).sid),
    ]);
    const audited = await auditOf(a, user.userId, 'session_revoked');
    expect(audited).toEqual([
      {
        type: 'session_revoked',
        outcome: 'success',
        detail: { by: admin.userId, count: 1, reason: 'admin_revoked', sessionId: sid },
      },
    ]);
  });

  it("another user's session, an ended one and an unknown id are 404 and end nothing", async () => {
    const owner = await tokenUser(a);
    const stranger = await tokenUser(a);
    const sid = String(claimsOf(owner.accessToken).sid);
    const path = (userId: string, sessionId: string) =>
      `/admin/users/${userId}/sessions/${sessionId}`;
    expectProblem(await admin.client.delete(path(stranger.userId, sid)), 404, 'not_found');
    expectProblem(await admin.client.delete(path(owner.userId, randomUUID())), 404, 'not_found');
    expect((await meWithToken(a, owner.accessToken)).status).toBe(200);
    expect((await admin.client.delete(path(owner.userId, sid))).status).toBe(204);
    expectProblem(await admin.client.delete(path(owner.userId, sid)), 404, 'not_found');
    expect(await auditOf(a, owner.userId, 'session_revoked')).toHaveLength(1);
    expect(await auditOf(a, stranger.userId, 'session_revoked')).toHaveLength(0);
  });

  it('10 revocations of one session at once: one 204, nine 404, one audit row', async () => {
    const user = await tokenUser(a);
    const sid = String(claimsOf(user.accessToken).sid);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin.client.delete(`/admin/users/${user.userId}/sessions/${sid}`).then((r) => r.status),
      ),
    );
    expect(statuses.sort()).toEqual([204, ...Array.from({ length: 9 }, () => 404)]);
    expect(await auditOf(a, user.userId, 'session_revoked')).toHaveLength(1);
  });

  it('a non-admin gets 403 and ends nothing, even with a real session id', async () => {
    const victim = await tokenUser(a);
    const { client } = await signedInUser(a);
    const sid = String(claimsOf(victim.accessToken).sid);
    const response = await client.delete(`/admin/users/${victim.userId}/sessions/${sid}`);
    expectProblem(response, 403, 'forbidden');
    expectProblem(
      await new Client(a.url).delete(`/admin/users/${victim.userId}/sessions/${sid}`),
      401,
    );
    expect((await meWithToken(a, victim.accessToken)).status).toBe(200);
  });
});
