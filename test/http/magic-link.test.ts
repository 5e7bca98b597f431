import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { mailedToken, outbox } from '../helpers/outbox.js';
import { expectProblem, sameAnswer } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, textedCode, uniquePhone } from '../helpers/sms.js';

const MINUTE = 60_000;
const SUBJECT = /sign-in link/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(async () => server.stop());

/** A registered account, signed out. */
async function account() {
  const { email, password, userId } = await signedInUser(server);
  return { email, password, userId };
}

async function linkFor(email: string): Promise<string> {
  const asked = await new Client(server.url).post('/auth/magic-link', { email });
  expect(asked.status).toBe(202);
  return mailedToken(server, email, SUBJECT);
}

const redeem = (client: Client, token: string) => client.post('/auth/magic-link/verify', { token });

describe('POST /auth/magic-link', () => {
  it('answers 202 with the same body for known and unknown emails; mails only the account', async () => {
    const { email } = await account();
    const unknown = uniqueEmail('nobody');
    const known = await new Client(server.url).post('/auth/magic-link', { email });
    const missing = await new Client(server.url).post('/auth/magic-link', { email: unknown });
    expect(known.status).toBe(202);
    expect(missing.status).toBe(202);
    expect(sameAnswer(missing)).toBe(sameAnswer(known));
    expect(known.headers.getSetCookie()).toEqual([]);
    const mails = (await outbox(server, email)).filter((m) => SUBJECT.test(m.subject));
    expect(mails).toHaveLength(1);
    expect(await outbox(server, unknown)).toEqual([]);
    const token = await mailedToken(server, email, SUBJECT);
    // The page at /magic-link comes with the hosted pages; it posts the token to /verify.
    expect(mails[0]?.text).toContain(`${server.core.issuer}/magic-link?token=${token}\n`);
    expect(mails[0]?.text).toMatch(/within 15 minutes/);
  });

  it('refuses a bad email with 400', async () => {
    const client = new Client(server.url);
    expectProblem(await client.post('/auth/magic-link', { email: 'not an email' }), 400);
    expectProblem(await client.post('/auth/magic-link', {}), 400);
    expectProblem(
      await client.post('/auth/magic-link', { email: `${'a'.repeat(250)}@example.com` }),
      400,
    );
  });

  it('limits requests per email, known or not: 429 with Retry-After', async () => {
    for (const email of [(await account()).email, uniqueEmail('ghost')]) {
      const client = new Client(server.url);
      for (let i = 0; i < 5; i++)
        expect((await client.post('/auth/magic-link', { email })).status).toBe(202);
      const over = await client.post('/auth/magic-link', { email });
      expectProblem(over, 429, 'rate_limited');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('limits requests per source', async () => {
    const strict = await startTestServer({ settings: { rateLimit: { loginPerIp: 3 } } });
    try {
      const client = new Client(strict.url);
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await client.post('/auth/magic-link', { email: uniqueEmail() })).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
    } finally {
      await strict.stop();
    }
  });

  it('a request refused for its email counts nowhere, not against the source either', async () => {
    const strict = await startTestServer({
      settings: { rateLimit: { loginPerIp: 3, magicLinkPerAccount: 1 } },
    });
    try {
      const client = new Client(strict.url);
      const ask = async (email: string) =>
        (await client.post('/auth/magic-link', { email })).status;
      const same = uniqueEmail();
      const statuses = [await ask(same), await ask(same), await ask(same)];
      statuses.push(await ask(uniqueEmail()), await ask(uniqueEmail()), await ask(uniqueEmail()));
      // Two refusals for the one email leave the source's 3 for three requests.
      expect(statuses).toEqual([202, 429, 429, 202, 202, 429]);
    } finally {
      await strict.stop();
    }
  });

  it('mails nothing to a banned account', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const { email, userId } = await account();
    expect((await admin.client.post(`/admin/users/${userId}/ban`, {})).status).toBe(200);
    expect((await new Client(server.url).post('/auth/magic-link', { email })).status).toBe(202);
    expect((await outbox(server, email)).filter((m) => SUBJECT.test(m.subject))).toEqual([]);
  });
});

describe('POST /auth/magic-link/verify', () => {
  it('signs in like a login: amr email, aal1, and the email is verified', async () => {
    const { email } = await account();
    const client = new Client(server.url);
    const done = await redeem(client, await linkFor(email));
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ user: { email, emailVerified: true } });
    expect(done.body.csrfToken).toBeTypeOf('string');
    expect(done.body.accessToken).toBeTypeOf('string');
    const me = await client.get<{ authentication: { amr: string[]; acr: string } }>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.authentication).toMatchObject({ amr: ['email'], acr: 'aal1' });
  });

  it('works once', async () => {
    const { email } = await account();
    const token = await linkFor(email);
    expect((await redeem(new Client(server.url), token)).status).toBe(200);
    expectProblem(await redeem(new Client(server.url), token), 400, 'invalid_link_token');
  });

  it('gives one session under 10 parallel uses of one link', async () => {
    const { email, userId } = await account();
    const token = await linkFor(email);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => redeem(new Client(server.url), token)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expectProblem(r, 400, 'invalid_link_token');
    const sessions = await server.core.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('amr', '=', '["email"]')
      .execute();
    expect(sessions).toHaveLength(1);
  });

  it('expires after 15 minutes', async () => {
    const { email } = await account();
    const token = await linkFor(email);
    server.clock.advance(15 * MINUTE + 1000);
    expectProblem(await redeem(new Client(server.url), token), 400, 'invalid_link_token');
  });

  it('refuses a wrong token, and a link replaced by a newer one', async () => {
    const { email } = await account();
    const client = new Client(server.url);
    expectProblem(await redeem(client, 'x'.repeat(43)), 400, 'invalid_link_token');
    expectProblem(await client.post('/auth/magic-link/verify', {}), 400, 'invalid_request');
    const older = await linkFor(email);
    const newer = await linkFor(email);
    expectProblem(await redeem(client, older), 400, 'invalid_link_token');
    expect((await redeem(client, newer)).status).toBe(200);
  });

  it('does not take a password-reset token for a link', async () => {
    const { email } = await account();
    await new Client(server.url).post('/auth/password/forgot', { email });
    const reset = await mailedToken(server, email, /Reset your password/);
    expectProblem(await redeem(new Client(server.url), reset), 400, 'invalid_link_token');
  });

  it('gives a banned account nothing, even with a link mailed before the ban', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const { email, userId } = await account();
    const token = await linkFor(email);
    expect((await admin.client.post(`/admin/users/${userId}/ban`, {})).status).toBe(200);
    const client = new Client(server.url);
    const refused = await redeem(client, token);
    expectProblem(refused, 403, 'account_banned');
    expect(client.cookies.size).toBe(0);
  });

  it('is one factor: an account with a second one gets the challenge, not a session', async () => {
    const { client: owner, email } = await signedInUser(server);
    const phone = uniquePhone();
    await enrolSms(server, owner, phone);
    const client = new Client(server.url);
    const first = await redeem(client, await linkFor(email));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfaRequired: true, methods: ['sms'] });
    expect(first.body.csrfToken).toBeUndefined();
    expect(first.body.accessToken).toBeUndefined();
    expect(first.headers.getSetCookie()).toEqual([]);
    expect((await client.get('/auth/me')).status).toBe(401);

    const challenge = first.body.challenge as string;
    expect((await client.post('/auth/mfa/sms/send', { challenge })).status).toBe(202);
    const done = await client.post('/auth/mfa/verify', {
      challenge,
      method: 'sms',
      code: await textedCode(server, phone),
    });
    expect(done.status, done.text).toBe(200);
    const me = await client.get<{ authentication: { amr: string[]; acr: string } }>('/auth/me');
    expect(me.body.authentication).toMatchObject({ amr: ['email', 'sms'], acr: 'aal2' });
  });

  it('never writes the token to the log or an audit event', async () => {
    const { email } = await account();
    const token = await linkFor(email);
    await redeem(new Client(server.url), token);
    expect(server.logs.join('\n')).not.toContain(token);
    const events = await server.core.store.db.selectFrom('audit_events').select('detail').execute();
    for (const event of events) expect(event.detail).not.toContain(token);
  });
});
