import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { auditOf, enrolTotp } from '../helpers/mfa.js';
import { mailedToken } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logIn, meWithToken, refreshWith } from '../helpers/tokens.js';

/**
 * `requireVerifiedEmail` on one instance (`strict`), off on another over the
 * same database (`open`): the same accounts, signed in before or without it.
 */
let open: TestServer;
let strict: TestServer;
beforeAll(async () => {
  open = await startTestServer();
  strict = await startTestServer({ shareWith: open, settings: { requireVerifiedEmail: true } });
});
afterAll(async () => {
  await strict.stop();
  await open.stop();
});

async function unverifiedAccount() {
  const email = uniqueEmail('unverified');
  const registered = await new Client(strict.url).post<{ user: { id: string } }>('/auth/register', {
    email,
    password: strongPassword,
  });
  expect(registered.status).toBe(201);
  return { email, userId: registered.body.user.id };
}

const rowsOf = async (table: 'sessions' | 'login_challenges', userId: string) =>
  (await open.core.store.db.selectFrom(table).select('id').where('user_id', '=', userId).execute())
    .length;

const login = (email: string, password = strongPassword) =>
  new Client(strict.url).post('/auth/login', { email, password });

describe('requireVerifiedEmail', () => {
  it('refuses a right password of an unverified account with 403 email_not_verified: no cookie, no session row', async () => {
    const { email, userId } = await unverifiedAccount();
    const refused = await login(email);
    expectProblem(refused, 403, 'email_not_verified');
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(refused.body).not.toHaveProperty('accessToken');
    expect(await rowsOf('sessions', userId)).toBe(0);
    expect(await auditOf(strict, userId, 'login')).toEqual([
      { type: 'login', outcome: 'failure', detail: { reason: 'email_not_verified', amr: 'pwd' } },
    ]);
  });

  it('tells nothing to someone without the password: a wrong one is the usual 401', async () => {
    const { email } = await unverifiedAccount();
    expectProblem(
      await login(email, 'not the password of this account'),
      401,
      'invalid_credentials',
    );
    expectProblem(await login(uniqueEmail('nobody')), 401, 'invalid_credentials');
  });

  it('refuses before the challenge of an account with a second factor', async () => {
    const { client, email, userId } = await signedInUser(open);
    await enrolTotp(open, client);
    const refused = await login(email);
    expectProblem(refused, 403, 'email_not_verified');
    expect(refused.body).not.toHaveProperty('challenge');
    expect(await rowsOf('login_challenges', userId)).toBe(0);
  });

  it('signs in once the mailed link verified the address (also after a resend)', async () => {
    const { email } = await unverifiedAccount();
    expectProblem(await login(email), 403, 'email_not_verified');
    const anonymous = new Client(strict.url);
    expect((await anonymous.post('/auth/email/verify/resend', { email })).status).toBe(202);
    await strict.core.background.drain();
    const token = await mailedToken(strict, email, /verify your email/i);
    expect((await anonymous.post('/auth/email/verify', { token })).status).toBe(200);
    const signedIn = await login(email);
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body).toMatchObject({ user: { email, emailVerified: true } });
  });

  it('lets a magic link sign in: it proves the mailbox and verifies the address', async () => {
    const { email } = await unverifiedAccount();
    const client = new Client(strict.url);
    expect((await client.post('/auth/magic-link', { email })).status).toBe(202);
    await strict.core.background.drain();
    const token = await mailedToken(strict, email, /sign-in link/);
    const signedIn = await client.post('/auth/magic-link/verify', { token });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body).toMatchObject({ user: { emailVerified: true } });
    expect((await login(email)).status).toBe(200);
  });

  it('gates new sign-ins only: a session made before keeps working and refreshing', async () => {
    const { email } = await unverifiedAccount();
    const before = await logIn(open, email, strongPassword, 'body');
    expect((await meWithToken(strict, before.accessToken)).status).toBe(200);
    const cookie = await new Client(strict.url).get('/auth/me', {
      headers: { cookie: [...before.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(cookie.status).toBe(200);
    expect((await refreshWith(strict, before.refreshToken)).status).toBe(200);
    expectProblem(await login(email), 403, 'email_not_verified');
  });

  it('is off by default', async () => {
    const { email } = await unverifiedAccount();
    expect(
      (await new Client(open.url).post('/auth/login', { email, password: strongPassword })).status,
    ).toBe(200);
  });
});
