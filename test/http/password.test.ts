import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { mailedToken, outbox } from '../helpers/outbox.js';
import { sameAnswer } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINUTE = 60_000;
const newPassword = 'a brand new and rather long passphrase';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

async function login(email: string, password: string): Promise<Client> {
  const client = new Client(server.url);
  const response = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
  expect(response.status).toBe(200);
  client.csrfToken = response.body.csrfToken;
  return client;
}

const loginStatus = async (email: string, password: string) =>
  (await new Client(server.url).post('/auth/login', { email, password })).status;

describe('POST /auth/password/change', () => {
  it('needs the current password: a wrong one is 401 and changes nothing', async () => {
    const { client, email, password } = await signedInUser(server);
    const response = await client.post('/auth/password/change', {
      currentPassword: 'definitely not my password',
      newPassword,
    });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_credentials');
    expect(await loginStatus(email, password)).toBe(200);
    expect(await loginStatus(email, newPassword)).toBe(401);
    // A wrong current password does not end the caller's session.
    expect((await client.get('/auth/me')).status).toBe(200);
  });

  it('refuses a weak new password with 400 weak_password naming the rule', async () => {
    const { client, email, password } = await signedInUser(server);
    const short = await client.post('/auth/password/change', {
      currentPassword: password,
      newPassword: 'short one',
    });
    expect(short.status).toBe(400);
    expect(short.body.code).toBe('weak_password');
    expect(short.body.detail).toMatch(/at least 15 characters/);
    const common = await client.post('/auth/password/change', {
      currentPassword: password,
      newPassword: 'passwordpassword',
    });
    expect(common.status).toBe(400);
    expect(common.body.code).toBe('weak_password');
    expect(common.body.detail).toMatch(/common/i);
    expect(await loginStatus(email, password)).toBe(200);
  });

  it('changes the password, keeps this session and revokes the others', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await login(email, password);
    const response = await client.post('/auth/password/change', {
      currentPassword: password,
      newPassword,
    });
    expect(response.status).toBe(204);
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await other.get('/auth/me')).status).toBe(401);
    expect(await loginStatus(email, password)).toBe(401);
    expect(await loginStatus(email, newPassword)).toBe(200);
  });

  it('needs a session', async () => {
    const response = await new Client(server.url).post('/auth/password/change', {
      currentPassword: strongPassword,
      newPassword,
    });
    expect(response.status).toBe(401);
  });
});

describe('forgot and reset', () => {
  it('always answers 202, and mails nothing for an unknown email', async () => {
    const ghost = uniqueEmail('ghost');
    const { email } = await signedInUser(server);
    const unknown = await new Client(server.url).post('/auth/password/forgot', { email: ghost });
    const known = await new Client(server.url).post('/auth/password/forgot', { email });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(sameAnswer(unknown)).toBe(sameAnswer(known));
    expect(await outbox(server, ghost)).toHaveLength(0);
    expect((await outbox(server, email)).some((m) => /reset/i.test(m.subject))).toBe(true);
  });

  it('resets with the mailed token, once; every session ends', async () => {
    const { client, email, password } = await signedInUser(server);
    const other = await login(email, password);
    expect((await new Client(server.url).post('/auth/password/forgot', { email })).status).toBe(
      202,
    );
    const token = await mailedToken(server, email, /reset/i);

    const reset = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword,
    });
    expect(reset.status).toBe(204);
    expect((await client.get('/auth/me')).status).toBe(401);
    expect((await other.get('/auth/me')).status).toBe(401);
    expect(await loginStatus(email, password)).toBe(401);
    expect(await loginStatus(email, newPassword)).toBe(200);

    const again = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword: 'yet another different passphrase',
    });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_link_token');
    expect(await loginStatus(email, newPassword)).toBe(200);
  });

  it('keeps the token usable after a weak new password is refused', async () => {
    const { email } = await signedInUser(server);
    await new Client(server.url).post('/auth/password/forgot', { email });
    const token = await mailedToken(server, email, /reset/i);
    const weak = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword: 'tiny',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('weak_password');
    const ok = await new Client(server.url).post('/auth/password/reset', { token, newPassword });
    expect(ok.status).toBe(204);
  });

  it('mails a token that lives 10 minutes, and says so', async () => {
    const { email } = await signedInUser(server);
    await new Client(server.url).post('/auth/password/forgot', { email });
    const mail = (await outbox(server, email)).filter((m) => /reset/i.test(m.subject)).at(-1);
    expect(mail?.text).toMatch(/within 10 minutes/);
    const token = await mailedToken(server, email, /reset/i);
    server.clock.advance(9 * MINUTE);
    const ok = await new Client(server.url).post('/auth/password/reset', { token, newPassword });
    expect(ok.status).toBe(204);
  });

  it('refuses a token older than 10 minutes', async () => {
    const { email, password } = await signedInUser(server);
    await new Client(server.url).post('/auth/password/forgot', { email });
    const token = await mailedToken(server, email, /reset/i);
    server.clock.advance(10 * MINUTE + 1000);
    const response = await new Client(server.url).post('/auth/password/reset', {
      token,
      newPassword,
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_link_token');
    expect(await loginStatus(email, password)).toBe(200);
  });

  it('refuses an unknown token', async () => {
    const response = await new Client(server.url).post('/auth/password/reset', {
      token: 'x'.repeat(43),
      newPassword,
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_link_token');
  });
});

describe('mail texts state the configured lifetimes', () => {
  it('says the reset and verification lifetimes the settings give', async () => {
    const custom = await startTestServer({
      settings: { resetTokenLifetimeSeconds: 30 * 60, emailVerificationLifetimeSeconds: 2 * 3600 },
    });
    try {
      const email = uniqueEmail('lifetimes');
      const client = new Client(custom.url);
      expect(
        (await client.post('/auth/register', { email, password: strongPassword })).status,
      ).toBe(201);
      expect((await client.post('/auth/password/forgot', { email })).status).toBe(202);
      const mails = await outbox(custom, email);
      expect(mails.find((m) => /verify/i.test(m.subject))?.text).toMatch(/valid 2 hours/);
      expect(mails.find((m) => /reset/i.test(m.subject))?.text).toMatch(/within 30 minutes/);
    } finally {
      await custom.stop();
    }
  });
});

describe('email verification', () => {
  it('verifies the address with the mailed token, once', async () => {
    const email = uniqueEmail('verify');
    const client = new Client(server.url);
    expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
      201,
    );
    const token = await mailedToken(server, email, /verify/i);
    const signedIn = await login(email, strongPassword);
    const before = await signedIn.get<{ user: { emailVerified: boolean } }>('/auth/me');
    expect(before.body.user.emailVerified).toBe(false);

    const verify = await client.post('/auth/email/verify', { token });
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ verified: true });
    const after = await signedIn.get<{ user: { emailVerified: boolean } }>('/auth/me');
    expect(after.body.user.emailVerified).toBe(true);

    const again = await client.post('/auth/email/verify', { token });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_link_token');
  });

  it('refuses a verification token after 24 hours', async () => {
    const email = uniqueEmail('late');
    const client = new Client(server.url);
    expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
      201,
    );
    const token = await mailedToken(server, email, /verify/i);
    server.clock.advance(24 * 3600 * 1000 + 1000);
    const late = await client.post('/auth/email/verify', { token });
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('invalid_link_token');
  });
});
