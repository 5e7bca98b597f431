import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../src/crypto/secret-box.js';
import { purgeExpiredRows } from '../../src/store/purge.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import {
  auditOf,
  challengeFor,
  codeNow,
  enrolTotp,
  mailFor,
  nextCode,
  passwordStep,
  type TotpSetupBody,
  totpUser,
} from '../helpers/mfa.js';
import { outbox } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Enrolling, listing and removing an authenticator app over HTTP. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { mfa: { requiredForRoles: ['admin'] } } });
});
afterAll(() => server.stop());

interface FactorList extends Record<string, unknown> {
  factors: Array<Record<string, unknown>>;
  recoveryCodesRemaining: number;
}

const factorsOf = async (client: Client) => (await client.get<FactorList>('/auth/mfa')).body;
const setup = (client: Client) => client.post<TotpSetupBody>('/auth/mfa/totp/setup');

describe('POST /auth/mfa/totp/setup', () => {
  it('gives a secret, an otpauth:// URI and an SVG QR code; the factor waits for a code', async () => {
    const user = await signedInUser(server);
    const answer = await setup(user.client);
    expect(answer.status, answer.text).toBe(200);
    const { factorId, secret, uri, qrSvg, expiresIn } = answer.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(decodeURIComponent(parsed.pathname)).toBe(`/Gatehouse:${user.email}`);
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('issuer')).toBe('Gatehouse');
    expect(qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(expiresIn).toBe(600);
    expect(answer.headers.get('cache-control')).toMatch(/no-store/);

    // Pending: not listed, not asked for at sign-in.
    expect(await factorsOf(user.client)).toEqual({ factors: [], recoveryCodesRemaining: 0 });
    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.body.mfaRequired).toBeUndefined();

    // Sealed at rest, bound to its row.
    const row = await server.core.store.db
      .selectFrom('totp_factors')
      .selectAll()
      .where('id', '=', factorId)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(secret);
    expect(open(server.core.secretKey, row.secret_sealed, `totp-factor:${factorId}`)).toBe(secret);
    expect(() => open(server.core.secretKey, row.secret_sealed, 'totp-factor:other')).toThrow();
  });

  it('a new setup replaces an unconfirmed one: only the newest can be confirmed', async () => {
    const user = await signedInUser(server);
    const first = (await setup(user.client)).body;
    const second = (await setup(user.client)).body;
    const firstCode = codeNow(server, first.secret);
    if (firstCode !== codeNow(server, second.secret))
      expectProblem(
        await user.client.post('/auth/mfa/totp/confirm', { code: firstCode }),
        401,
        'invalid_code',
      );
    const ok = await user.client.post('/auth/mfa/totp/confirm', {
      code: codeNow(server, second.secret),
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ factorId: second.factorId });
  });

  it('with an active app already: 409 (one per account; remove it first)', async () => {
    const user = await totpUser(server);
    expectProblem(await setup(user.client), 409, 'conflict');
  });

  it('needs a recent sign-in (step-up) and a signed-in user', async () => {
    const user = await signedInUser(server);
    server.clock.advance(11 * 60_000);
    const late = await setup(user.client);
    expectProblem(late, 401, 'step_up_required');
    expect(late.headers.get('www-authenticate')).toMatch(/insufficient_user_authentication/);
    expectProblem(await new Client(server.url).post('/auth/mfa/totp/setup'), 401);
  });
});

describe('POST /auth/mfa/totp/confirm', () => {
  it('a wrong code is 401 invalid_code; the right one activates, audits and mails the owner', async () => {
    const user = await signedInUser(server);
    const { factorId, secret } = (await setup(user.client)).body;
    const right = codeNow(server, secret);
    const wrong = right === '000000' ? '111111' : '000000';
    expectProblem(
      await user.client.post('/auth/mfa/totp/confirm', { code: wrong }),
      401,
      'invalid_code',
    );
    const ok = await user.client.post('/auth/mfa/totp/confirm', { code: right });
    expect(ok.status, ok.text).toBe(200);

    const list = await factorsOf(user.client);
    expect(list).toEqual({
      factors: [
        {
          method: 'totp',
          id: factorId,
          name: null,
          createdAt: new Date(server.clock.now()).toISOString(),
          lastUsedAt: new Date(server.clock.now()).toISOString(),
        },
      ],
      recoveryCodesRemaining: 0,
    });
    expect(JSON.stringify(list)).not.toContain(secret);

    expect(await auditOf(server, user.userId, 'factor_added')).toEqual([
      { type: 'factor_added', outcome: 'success', detail: { method: 'totp', factorId } },
    ]);
    const mail = await mailFor(server, user.email, /sign-in method was added/);
    expect(mail?.text).toMatch(/totp/);
    expect(JSON.stringify(await outbox(server, user.email))).not.toContain(secret);

    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.body).toMatchObject({ mfaRequired: true, methods: ['totp'] });
  });

  it('the code that confirmed is used up: it cannot also sign in', async () => {
    const user = await signedInUser(server);
    const { secret } = (await setup(user.client)).body;
    const code = codeNow(server, secret);
    expect((await user.client.post('/auth/mfa/totp/confirm', { code })).status).toBe(200);
    const challenge = await challengeFor(server, user.email, user.password);
    const reused = await new Client(server.url).post('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code,
    });
    expectProblem(reused, 401, 'invalid_code');
  });

  it('10 parallel confirms with the right code: one activation, one audit row', async () => {
    const user = await signedInUser(server);
    const { secret } = (await setup(user.client)).body;
    const code = codeNow(server, secret);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => user.client.post('/auth/mfa/totp/confirm', { code })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    // The losers found the code used up, or no setup left waiting.
    for (const lost of answers.filter((a) => a.status !== 200))
      expect([401, 400]).toContain(lost.status);
    expect(await auditOf(server, user.userId, 'factor_added')).toHaveLength(1);
    expect((await factorsOf(user.client)).factors).toHaveLength(1);
  });

  it('without a pending setup: 400; with bad input: 400', async () => {
    const user = await signedInUser(server);
    expectProblem(
      await user.client.post('/auth/mfa/totp/confirm', { code: '123456' }),
      400,
      'invalid_request',
    );
    await setup(user.client);
    for (const body of [{}, { code: '' }, { code: 'x'.repeat(65) }, { code: 123456 }])
      expectProblem(await user.client.post('/auth/mfa/totp/confirm', body), 400);
  });
});

describe('DELETE /auth/mfa/totp/:id', () => {
  it('removes the app: audited, mailed, and sign-in no longer asks for it', async () => {
    const user = await totpUser(server);
    const removed = await user.client.delete(`/auth/mfa/totp/${user.factorId}`);
    expect(removed.status, removed.text).toBe(204);
    expect((await factorsOf(user.client)).factors).toEqual([]);
    expect(await auditOf(server, user.userId, 'factor_removed')).toEqual([
      {
        type: 'factor_removed',
        outcome: 'success',
        detail: { method: 'totp', factorId: user.factorId },
      },
    ]);
    expect(await mailFor(server, user.email, /sign-in method was removed/)).toBeDefined();
    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.status).toBe(200);
    expect(response.body.mfaRequired).toBeUndefined();
    expect(response.body.accessToken).toEqual(expect.any(String));
  });

  it('on an account without a password, the last factor stays (409); beside another one it goes', async () => {
    const owner = await totpUser(server);
    await server.core.store.db
      .updateTable('users')
      .set({ password_hash: null })
      .where('id', '=', owner.userId)
      .execute();
    expectProblem(await owner.client.delete(`/auth/mfa/totp/${owner.factorId}`), 409, 'conflict');
    expect((await factorsOf(owner.client)).factors).toHaveLength(1);
    // A phone number beside it: the app is no longer the last way in.
    await server.core.store.db
      .insertInto('sms_factors')
      .values({
        id: crypto.randomUUID(),
        user_id: owner.userId,
        phone: '+15555550100',
        created_at: server.clock.now(),
        last_used_at: null,
      })
      .execute();
    expect((await owner.client.delete(`/auth/mfa/totp/${owner.factorId}`)).status).toBe(204);
  });

  it("another user's app is 404 and stays", async () => {
    const owner = await totpUser(server);
    const other = await signedInUser(server);
    expectProblem(await other.client.delete(`/auth/mfa/totp/${owner.factorId}`), 404, 'not_found');
    expect((await factorsOf(owner.client)).factors).toHaveLength(1);
  });

  it('needs a recent sign-in: an hour-old session gets step_up_required', async () => {
    const user = await totpUser(server);
    server.clock.advance(11 * 60_000);
    expectProblem(
      await user.client.delete(`/auth/mfa/totp/${user.factorId}`),
      401,
      'step_up_required',
    );
    expect((await factorsOf(user.client)).factors).toHaveLength(1);
  });
});

describe('a role that must use a second factor', () => {
  it('signs in limited to enrolment, can enrol an app, and then signs in with it', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const me = await admin.client.get<{ authentication: { restriction: string } }>('/auth/me');
    expect(me.body.authentication.restriction).toBe('mfa_enrollment');
    expectProblem(await admin.client.get('/auth/api-keys'), 403, 'mfa_enrollment_required');
    expect((await admin.client.get('/auth/mfa')).status).toBe(200);
    const { secret } = await enrolTotp(server, admin.client);
    const codes = await admin.client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    expect(codes.status).toBe(201);

    const challenge = await challengeFor(server, admin.email, admin.password);
    const client = new Client(server.url);
    const done = await client.post<{ csrfToken: string }>('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code: nextCode(server, secret),
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body).not.toHaveProperty('mfaEnrollmentRequired');
    expect((await client.get('/auth/api-keys')).status).toBe(200);
  });
});

describe('an unconfirmed setup expires', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer({ settings: { mfa: { totpSetupLifetimeSeconds: 60 } } });
  });
  afterAll(() => short.stop());

  it('cannot be confirmed after its lifetime, and the purge drops it', async () => {
    const user = await signedInUser(short);
    const { secret, factorId } = (await setup(user.client)).body;
    short.clock.advance(61_000);
    expectProblem(
      await user.client.post('/auth/mfa/totp/confirm', { code: codeNow(short, secret) }),
      400,
      'invalid_request',
    );
    const counts = await purgeExpiredRows(short.core.store.db, {
      expiredBefore: short.clock.now(),
      batchSize: 100,
      maxBatchesPerRun: 1,
    });
    expect(counts.totpSetups).toBe(1);
    const left = await short.core.store.db
      .selectFrom('totp_factors')
      .select('id')
      .where('id', '=', factorId)
      .execute();
    expect(left).toEqual([]);
  });
});
