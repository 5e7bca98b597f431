import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser } from '../../src/store/repositories/users.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { auditOf, mailFor, passwordStep, totpUser } from '../helpers/mfa.js';
import { outbox } from '../helpers/outbox.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, uniquePhone } from '../helpers/sms.js';
import { bearer, logIn, meWithToken, refreshWith, within } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(async () => server.stop());

/** An admin signed in just now (the lockout routes demand a recent sign-in). */
const freshAdmin = () => signedInUser(server, { roles: ['admin'] });

describe('POST /admin/users/:id/sessions/revoke', () => {
  it('ends every session: cookie, access token and refresh token all stop working', async () => {
    const { client, email, userId } = await signedInUser(server);
    const api = await logIn(server, email, strongPassword);
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await meWithToken(server, api.accessToken)).status).toBe(200);
    const { client: admin, userId: adminId } = await freshAdmin();

    const response = await admin.post<{ revoked: number }>(
      `/admin/users/${userId}/sessions/revoke`,
    );
    expect(response.status).toBe(200);
    expect(response.body.revoked).toBe(2);

    expectProblem(await client.get('/auth/me'), 401, 'unauthenticated');
    expect(
      await within(5000, async () => (await meWithToken(server, api.accessToken)).status === 401),
    ).toBe(true);
    const refresh = await refreshWith(server, api.refreshToken);
    expect([refresh.status, refresh.body.code]).toEqual([401, 'invalid_refresh_token']);
    const detail = await admin.get<{ sessions: unknown[] }>(`/admin/users/${userId}`);
    expect(detail.body.sessions).toEqual([]);

    const [event] = (await auditOf(server, userId, 'session_revoked')).filter(
      (e) => e.detail.by === adminId,
    );
    expect(event).toMatchObject({ outcome: 'success', detail: { count: 2 } });
    // Not a ban: the user signs in again.
    expect((await logIn(server, email, strongPassword)).login.status).toBe(200);
    // The admin's own session is untouched.
    expect((await admin.get('/auth/me')).status).toBe(200);
  });

  it('404 for an unknown user', async () => {
    const { client: admin } = await freshAdmin();
    expectProblem(
      await admin.post('/admin/users/00000000-0000-0000-0000-000000000000/sessions/revoke'),
      404,
      'not_found',
    );
  });
});

describe('POST /admin/users/:id/factors/reset', () => {
  it('removes every second factor: the password alone signs in again, the owner is mailed', async () => {
    const { client, email, userId } = await totpUser(server);
    expect((await client.post('/auth/mfa/recovery-codes')).status).toBe(201);
    await enrolSms(server, client, uniquePhone());
    await insertTestPasskey(server, userId);
    const before = await passwordStep(server, email, strongPassword);
    expect(before.response.body.mfaRequired).toBe(true);
    expect(before.response.body.methods.sort()).toEqual(
      ['recovery_code', 'sms', 'totp', 'webauthn'].sort(),
    );
    const { client: admin, userId: adminId } = await freshAdmin();

    const reset = await admin.post<{ removed: string[] }>(`/admin/users/${userId}/factors/reset`);
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body.removed).toEqual(['webauthn', 'totp', 'recovery_code', 'sms']);

    const after = await passwordStep(server, email, strongPassword);
    expect(after.response.status).toBe(200);
    expect(after.response.body.mfaRequired).toBeUndefined();
    expect(after.response.body.csrfToken).toEqual(expect.any(String));
    expect((await after.client.get('/auth/me')).status).toBe(200);

    const detail = await admin.get<{
      factors: { factors: unknown[]; recoveryCodesRemaining: number };
    }>(`/admin/users/${userId}`);
    expect(detail.body.factors).toEqual({ factors: [], recoveryCodesRemaining: 0 });
    const events = await auditOf(server, userId, 'factor_removed');
    expect(events.at(-1)).toMatchObject({
      outcome: 'success',
      detail: { method: 'webauthn,totp,recovery_code,sms', reset: true, by: adminId },
    });
    const mail = await mailFor(server, email, /administrator removed your sign-in methods/);
    expect(mail?.text).toMatch(/sign in with your password/);
  });

  it('of ten parallel resets, one removes the factors, audits and mails; the others find nothing', async () => {
    const { email, userId } = await totpUser(server);
    const { client: admin } = await freshAdmin();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin.post<{ removed: string[] }>(`/admin/users/${userId}/factors/reset`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const removing = answers.filter((a) => a.body.removed.length > 0);
    expect(removing.map((a) => a.body.removed)).toEqual([['totp']]);
    const resets = (await auditOf(server, userId, 'factor_removed')).filter((e) => e.detail.reset);
    expect(resets).toHaveLength(1);
    await mailFor(server, email, /administrator removed/);
    const mails = (await outbox(server, email)).filter((m) => /administrator/.test(m.subject));
    expect(mails).toHaveLength(1);
  });

  it('refuses an account without a password with 409 and keeps its passkey', async () => {
    const user = await server.core.store.db.transaction().execute((trx) =>
      insertUser(trx, {
        email: uniqueEmail('nopw'),
        passwordHash: null,
        now: server.clock.now(),
      }),
    );
    await insertTestPasskey(server, user.id);
    const { client: admin } = await freshAdmin();
    expectProblem(await admin.post(`/admin/users/${user.id}/factors/reset`), 409, 'conflict');
    const detail = await admin.get<{ factors: { factors: unknown[] } }>(`/admin/users/${user.id}`);
    expect(detail.body.factors.factors).toHaveLength(1);
  });
});

describe('both lockout actions demand a recent sign-in of the admin', () => {
  it('an admin signed in 11 minutes ago gets 401 step_up_required; a key never passes', async () => {
    const { client: target, userId } = await totpUser(server);
    const { client: admin } = await freshAdmin();
    const key = await admin.post<{ apiKey: { key: string } }>('/auth/api-keys', { name: 'ops' });
    expect(key.status, key.text).toBe(201);
    server.clock.advance(11 * 60_000);
    expect((await admin.get('/auth/me')).status).toBe(200);
    for (const path of ['sessions/revoke', 'factors/reset']) {
      const stale = await admin.post(`/admin/users/${userId}/${path}`);
      expectProblem(stale, 401, 'step_up_required');
      const byKey = await new Client(server.url).post(
        `/admin/users/${userId}/${path}`,
        undefined,
        bearer(key.body.apiKey.key),
      );
      expectProblem(byKey, 401, 'step_up_required');
    }
    // Nothing happened to the target.
    expect((await target.get('/auth/me')).status).toBe(200);
    const detail = await (await freshAdmin()).client.get<{ factors: { factors: unknown[] } }>(
      `/admin/users/${userId}`,
    );
    expect(detail.body.factors.factors).toHaveLength(1);
  });
});
