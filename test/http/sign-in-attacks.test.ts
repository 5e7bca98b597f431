/**
 * An attacker's pass over the sign-in flow (issue 8): each test is a way in
 * that was open, and stays shut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { challengeFor, mailFor, nextCode, totpUser } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { LoginBody } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { mfa: { requiredForRoles: ['admin'] } } });
});
afterAll(() => server.stop());

const newPassword = 'a completely different passphrase 7';

const verify = (challenge: string, code: string) =>
  new Client(server.url).post<LoginBody>('/auth/mfa/verify', { challenge, method: 'totp', code });

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
    const token = /token: (\S+)/.exec(mail?.text ?? '')?.[1];
    expect(token).toBeDefined();
    const reset = await anonymous.post('/auth/password/reset', { token, newPassword });
    expect(reset.status, reset.text).toBe(204);
    expectProblem(await verify(challenge, nextCode(server, secret)), 401, 'invalid_challenge');
  });
});
