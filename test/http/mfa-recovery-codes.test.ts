import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import {
  auditOf,
  challengeFor,
  mailFor,
  nextCode,
  passwordStep,
  totpUser,
} from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, type LoginBody } from '../helpers/tokens.js';

/** Recovery codes: a set of 10 shown once, each a one-time second factor. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

type Answer = LoginBody & Record<string, unknown>;

const generate = (client: Client) => client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
const remaining = async (client: Client) =>
  (await client.get<{ recoveryCodesRemaining: number }>('/auth/mfa')).body.recoveryCodesRemaining;
const useCode = (challenge: string, code: string) =>
  new Client(server.url).post<Answer>('/auth/mfa/verify', {
    challenge,
    method: 'recovery_code',
    code,
  });

async function userWithCodes() {
  const user = await totpUser(server);
  const answer = await generate(user.client);
  expect(answer.status, answer.text).toBe(201);
  return { ...user, codes: answer.body.codes };
}

describe('POST /auth/mfa/recovery-codes', () => {
  it('gives 10 distinct codes once and stores only their hashes', async () => {
    const user = await userWithCodes();
    expect(user.codes).toHaveLength(10);
    expect(new Set(user.codes).size).toBe(10);
    for (const code of user.codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(await remaining(user.client)).toBe(10);
    const rows = await server.core.store.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', user.userId)
      .execute();
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of user.codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
    expect(await auditOf(server, user.userId, 'factor_added')).toContainEqual({
      type: 'factor_added',
      outcome: 'success',
      detail: { method: 'recovery_code' },
    });
    // The sign-in now offers them, after the app.
    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.body.methods).toEqual(['totp', 'recovery_code']);
  });

  it('are refused without another second factor (409): they back one up', async () => {
    const user = await signedInUser(server);
    expectProblem(await generate(user.client), 409, 'conflict');
    expect(await remaining(user.client)).toBe(0);
  });

  it('regenerating invalidates the whole old set', async () => {
    const user = await userWithCodes();
    const fresh = await generate(user.client);
    expect(fresh.status).toBe(201);
    const challenge = await challengeFor(server, user.email, user.password);
    for (const old of user.codes.slice(0, 3))
      expectProblem(await useCode(challenge, old), 401, 'invalid_code');
    expect((await useCode(challenge, fresh.body.codes[0] ?? '')).status).toBe(200);
  });

  it('needs a recent sign-in', async () => {
    const user = await totpUser(server);
    server.clock.advance(11 * 60_000);
    expectProblem(await generate(user.client), 401, 'step_up_required');
  });
});

describe('a recovery code as the second factor', () => {
  it('signs in (amr pwd+otp, aal2), is audited apart from TOTP, and mails the owner', async () => {
    const user = await userWithCodes();
    const challenge = await challengeFor(server, user.email, user.password);
    const done = await useCode(challenge, user.codes[0] ?? '');
    expect(done.status, done.text).toBe(200);
    expect(claimsOf(done.body.accessToken)).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect(await remaining(user.client)).toBe(9);
    expect(await auditOf(server, user.userId, 'recovery_code_used')).toEqual([
      { type: 'recovery_code_used', outcome: 'success', detail: { remaining: 9 } },
    ]);
    const verified = await auditOf(server, user.userId, 'mfa_verify');
    expect(verified.at(-1)).toMatchObject({
      outcome: 'success',
      detail: { method: 'recovery_code' },
    });
    const mail = await mailFor(server, user.email, /recovery code was used/);
    expect(mail?.text).toMatch(/9 remain/);
    expect(mail?.text).not.toContain(user.codes[0]);
  });

  it('works once: the same code again is invalid_code', async () => {
    const user = await userWithCodes();
    const code = user.codes[1] ?? '';
    expect(
      (await useCode(await challengeFor(server, user.email, user.password), code)).status,
    ).toBe(200);
    const again = await challengeFor(server, user.email, user.password);
    expectProblem(await useCode(again, code), 401, 'invalid_code');
  });

  it('10 parallel uses of the same code on 10 challenges: exactly one signs in', async () => {
    const user = await userWithCodes();
    const challenges: string[] = [];
    for (let i = 0; i < 10; i++)
      challenges.push(await challengeFor(server, user.email, user.password));
    const code = user.codes[2] ?? '';
    const answers = await Promise.all(challenges.map((c) => useCode(c, code)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const lost of answers.filter((a) => a.status !== 200))
      expectProblem(lost, 401, 'invalid_code');
    expect(await remaining(user.client)).toBe(9);
    expect(await auditOf(server, user.userId, 'recovery_code_used')).toHaveLength(1);
  });

  it('is read as typed: upper case, spaces, no dashes', async () => {
    const user = await userWithCodes();
    const typed = (user.codes[3] ?? '').toUpperCase().replace(/-/g, ' ');
    const challenge = await challengeFor(server, user.email, user.password);
    expect((await useCode(challenge, typed)).status).toBe(200);
  });

  it("another user's code does not work", async () => {
    const alice = await userWithCodes();
    const bob = await userWithCodes();
    const challenge = await challengeFor(server, alice.email, alice.password);
    expectProblem(await useCode(challenge, bob.codes[0] ?? ''), 401, 'invalid_code');
    expect(await remaining(bob.client)).toBe(10);
  });

  it('garbage is a wrong code, not a 500', async () => {
    const user = await userWithCodes();
    const challenge = await challengeFor(server, user.email, user.password);
    for (const code of ['x', 'aaaa-bbbb-cccc-dddu', '💥'.repeat(16)])
      expectProblem(await useCode(challenge, code), 401, 'invalid_code');
  });
});

describe('codes without another factor are dormant', () => {
  it('after the app is removed they are neither asked for nor accepted, but still counted', async () => {
    const user = await userWithCodes();
    const oldChallenge = await challengeFor(server, user.email, user.password);
    expect((await user.client.delete(`/auth/mfa/totp/${user.factorId}`)).status).toBe(204);
    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.body.mfaRequired).toBeUndefined();
    expect(response.body.accessToken).toEqual(expect.any(String));
    // A challenge issued before the removal cannot be finished with a dormant code.
    expectProblem(await useCode(oldChallenge, user.codes[0] ?? ''), 400, 'invalid_request');
    expect(await remaining(user.client)).toBe(10);
  });

  it('nor does a re-authentication accept one', async () => {
    const user = await userWithCodes();
    expect((await user.client.delete(`/auth/mfa/totp/${user.factorId}`)).status).toBe(204);
    const reauth = await user.client.post('/auth/reauthenticate', {
      method: 'recovery_code',
      code: user.codes[0],
    });
    expectProblem(reauth, 400, 'invalid_request');
    expect(await remaining(user.client)).toBe(10);
  });
});

describe('no secret in a log line or an audit detail', () => {
  it('TOTP secrets, TOTP codes and recovery codes stay out of logs and audit rows', async () => {
    const user = await userWithCodes();
    const challenge = await challengeFor(server, user.email, user.password);
    const totp = nextCode(server, user.secret);
    expect((await useCode(challenge, user.codes[4] ?? '')).status).toBe(200);
    const second = await challengeFor(server, user.email, user.password);
    const done = await new Client(server.url).post('/auth/mfa/verify', {
      challenge: second,
      method: 'totp',
      code: totp,
    });
    expect(done.status).toBe(200);
    const audit = await server.core.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('user_id', '=', user.userId)
      .execute();
    const haystack = server.logs.join('\n') + JSON.stringify(audit);
    for (const secret of [user.secret, totp, challenge, ...user.codes]) {
      expect(haystack).not.toContain(secret);
      expect(haystack).not.toContain(secret.replace(/-/g, ''));
    }
  });
});
