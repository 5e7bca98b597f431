/**
 * An attacker's pass over the sign-in flow (issue 8): each test is a way in
 * that was open, and stays shut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { challengeFor, codeNow, enrolTotp, mailFor, nextCode, totpUser } from '../helpers/mfa.js';
import { tokenOf } from '../helpers/outbox.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, type LoginBody } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    settings: { publicUrl: 'http://localhost:3999', mfa: { requiredForRoles: ['admin'] } },
  });
});
afterAll(() => server.stop());

const newPassword = 'a completely different passphrase 7';

const verify = (challenge: string, code: string) =>
  new Client(server.url).post('/auth/mfa/verify', { challenge, method: 'totp', code });

describe('a login challenge outlives no password change', () => {
  it('a challenge won with the old password dies when the owner changes it', async () => {
    const { client, email, password, secret } = await totpUser(server);
    // The attacker knows the password and waits for a TOTP code (phished, shoulder-surfed).
    const challenge = await challengeFor(server, email, password);
    const changed = await client.post('/auth/password/change', {
      currentPassword: password,
      newPassword,
    });
    expect(changed.status, changed.text).toBe(204);
    expectProblem(await verify(challenge, nextCode(server, secret)), 401, 'invalid_challenge');
    // The owner, with the new password, still signs in.
    const own = await challengeFor(server, email, newPassword);
    expect((await verify(own, nextCode(server, secret))).status).toBe(200);
  });

  it('a challenge won with the old password dies when the password is reset', async () => {
    const { email, password, secret } = await totpUser(server);
    const challenge = await challengeFor(server, email, password);
    const anonymous = new Client(server.url);
    expect((await anonymous.post('/auth/password/forgot', { email })).status).toBe(202);
    const mail = await mailFor(server, email, /reset/i);
    const token = tokenOf(mail);
    expect(token).toBeDefined();
    const reset = await anonymous.post('/auth/password/reset', { token, newPassword });
    expect(reset.status, reset.text).toBe(204);
    expectProblem(await verify(challenge, nextCode(server, secret)), 401, 'invalid_challenge');
  });
});

describe('re-authentication takes only the factors a login takes', () => {
  it('dormant recovery codes (their factor removed) neither lift an enrolment restriction nor give aal2', async () => {
    // An admin enrols an app, keeps recovery codes, then removes the app.
    const { client, email, password, secret, factorId } = await totpUser(server, {
      roles: ['admin'],
    });
    const lifted = await client.post('/auth/reauthenticate', {
      method: 'totp',
      code: nextCode(server, secret),
    });
    expect(lifted.status, lifted.text).toBe(200);
    const codes = await client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    expect(codes.status, codes.text).toBe(201);
    expect((await client.delete(`/auth/mfa/totp/${factorId}`)).status).toBe(204);

    // With no factor left the admin's next login is limited to enrolment ...
    const restricted = new Client(server.url);
    const login = await restricted.post<LoginBody & { mfaEnrollmentRequired?: boolean }>(
      '/auth/login',
      { email, password },
    );
    expect(login.body.mfaEnrollmentRequired).toBe(true);
    restricted.csrfToken = login.body.csrfToken;
    // ... and a left-over code on paper is not a way out of it.
    const wayOut = await restricted.post<{ accessToken: string }>('/auth/reauthenticate', {
      method: 'recovery_code',
      code: codes.body.codes[0],
    });
    expectProblem(wayOut, 400, 'invalid_request');
    expectProblem(await restricted.get('/auth/sessions'), 403, 'mfa_enrollment_required');
    // The code is not spent either: it works again once a factor is back.
    await enrolTotp(server, restricted);
    const back = await restricted.post<{ accessToken: string }>('/auth/reauthenticate', {
      method: 'recovery_code',
      code: codes.body.codes[0],
    });
    expect(back.status, back.text).toBe(200);
    expect(claimsOf(back.body.accessToken).acr).toBe('aal2');
  });

  it('a right password does not wipe the count of wrong codes re-authentication tried', async () => {
    const { client, secret } = await totpUser(server);
    const wrongCode = () => {
      const right = codeNow(server, secret);
      return right === '000000' ? '111111' : '000000';
    };
    const tryCode = () =>
      client.post('/auth/reauthenticate', { method: 'totp', code: wrongCode() });
    // loginPerAccount (10) per account and source: 9 wrong codes ...
    for (let i = 0; i < 9; i++) expectProblem(await tryCode(), 401, 'invalid_code');
    // ... then the (stolen) password, which must not hand out 10 new guesses ...
    const pwd = await client.post('/auth/reauthenticate', {
      method: 'password',
      password: strongPassword,
    });
    expect(pwd.status, pwd.text).toBe(200);
    // ... so the 10th wrong code is the last one.
    expectProblem(await tryCode(), 401, 'invalid_code');
    expectProblem(await tryCode(), 429, 'rate_limited');
  });
});

describe('the way out of an enrolment-only session', () => {
  it('is open with a passkey too: its re-authentication options are an enrolment route', async () => {
    const { email, password, userId } = await signedInUser(server, { roles: ['admin'] });
    const restricted = new Client(server.url);
    const login = await restricted.post<LoginBody & { mfaEnrollmentRequired?: boolean }>(
      '/auth/login',
      { email, password },
    );
    expect(login.body.mfaEnrollmentRequired).toBe(true);
    restricted.csrfToken = login.body.csrfToken;
    // The passkey the session just enrolled (written to the store: no authenticator here).
    const passkey = await insertTestPasskey(server, userId);
    const options = await restricted.post<{
      options: { allowCredentials: Array<{ id: string }> };
    }>('/auth/passkeys/reauthenticate/options');
    expect(options.status, options.text).toBe(200);
    expect(options.body.options.allowCredentials.map((c) => c.id)).toEqual([passkey.credentialId]);
    expectProblem(await restricted.get('/auth/sessions'), 403, 'mfa_enrollment_required');
  });
});

describe('one challenge, many right proofs', () => {
  it('10 parallel verifications with 10 different recovery codes: exactly one session', async () => {
    const { client, email, password } = await totpUser(server);
    const codes = await client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    expect(codes.status, codes.text).toBe(201);
    const challenge = await challengeFor(server, email, password);
    const answers = await Promise.all(
      codes.body.codes.map((code) =>
        new Client(server.url).post('/auth/mfa/verify', {
          challenge,
          method: 'recovery_code',
          code,
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    // The others lost the challenge (or, past its 5 attempts, never got one).
    for (const answer of answers.filter((a) => a.status !== 200))
      expectProblem(answer, 401, 'invalid_challenge');
  });
});
