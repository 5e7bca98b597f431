import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { type OutboxMessage, outbox, tokenOf } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, tokenUser } from '../helpers/tokens.js';

const RESEND = '/auth/email/verify/resend';
const VERIFY = /verify your email/i;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

/** The verification mails to `email`, once every background delivery is done. */
async function verificationMails(target: TestServer, email: string): Promise<OutboxMessage[]> {
  await target.core.background.drain();
  return (await outbox(target, email)).filter((m) => VERIFY.test(m.subject));
}

const verify = (token: string | undefined) =>
  new Client(server.url).post('/auth/email/verify', { token });

describe('POST /auth/email/verify/resend, signed in', () => {
  it('mails a new link to the own address; the newest link wins, older ones are refused', async () => {
    const { client, email } = await signedInUser(server);
    const first = tokenOf((await verificationMails(server, email)).at(-1));
    const resent = await client.post(RESEND);
    expect(resent.status, resent.text).toBe(202);
    expect(resent.body).toEqual({ accepted: true });
    const mails = await verificationMails(server, email);
    expect(mails).toHaveLength(2);
    const newest = tokenOf(mails.at(-1));
    expect(newest).not.toBe(first);
    expectProblem(await verify(first), 400, 'invalid_link_token');
    expect((await verify(newest)).status).toBe(200);
  });

  it('answers 409 already_verified once the address is verified, and mails nothing', async () => {
    const { client, email } = await signedInUser(server);
    const token = tokenOf((await verificationMails(server, email)).at(-1));
    expect((await verify(token)).status).toBe(200);
    expectProblem(await client.post(RESEND), 409, 'already_verified');
    expect(await verificationMails(server, email)).toHaveLength(1);
  });

  it('works with the access token of a session too; the body may repeat the own email only', async () => {
    const user = await tokenUser(server);
    const withToken = new Client(server.url);
    const auth = bearer(user.accessToken);
    expect((await withToken.post(RESEND, undefined, auth)).status).toBe(202);
    expect((await withToken.post(RESEND, { email: user.email.toUpperCase() }, auth)).status).toBe(
      202,
    );
    const other = uniqueEmail('other');
    expectProblem(await withToken.post(RESEND, { email: other }, auth), 400, 'invalid_request');
    expect(await verificationMails(server, other)).toEqual([]);
    expect(await verificationMails(server, user.email)).toHaveLength(3);
  });

  it('refuses an API key (403) and a cookie without the CSRF token', async () => {
    const { client } = await signedInUser(server);
    const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'resend',
    });
    expect(created.status, created.text).toBe(201);
    const withKey = new Client(server.url);
    expectProblem(
      await withKey.post(RESEND, undefined, { headers: { 'x-api-key': created.body.apiKey.key } }),
      403,
      'forbidden',
    );
    expectProblem(await client.post(RESEND, undefined, { withoutCsrf: true }), 403, 'csrf_failed');
  });
});

describe('POST /auth/email/verify/resend, anonymous', () => {
  it('answers 202 alike for an unverified, a verified and an unknown email; mails only the unverified one', async () => {
    const unverified = await signedInUser(server);
    const verified = await signedInUser(server);
    const verifiedToken = tokenOf((await verificationMails(server, verified.email)).at(-1));
    expect((await verify(verifiedToken)).status).toBe(200);
    const unknown = uniqueEmail('nobody');
    const answers = await Promise.all(
      [unverified.email, verified.email, unknown].map((email) =>
        new Client(server.url).post(RESEND, { email }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.text).toBe(answers[0]?.text);
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    expect(await verificationMails(server, unverified.email)).toHaveLength(2);
    expect(await verificationMails(server, verified.email)).toHaveLength(1);
    expect(await outbox(server, unknown)).toEqual([]);
    const newest = tokenOf((await verificationMails(server, unverified.email)).at(-1));
    expect((await verify(newest)).status).toBe(200);
  });

  it('mails nothing to a banned account', async () => {
    const { email, userId } = await signedInUser(server);
    await server.core.store.db
      .updateTable('users')
      .set({ banned_at: server.clock.now() })
      .where('id', '=', userId)
      .execute();
    expect((await new Client(server.url).post(RESEND, { email })).status).toBe(202);
    expect(await verificationMails(server, email)).toHaveLength(1);
  });

  it('needs an email without a session, and a valid one', async () => {
    const anonymous = new Client(server.url);
    expectProblem(await anonymous.post(RESEND), 400, 'invalid_request');
    expectProblem(await anonymous.post(RESEND, {}), 400, 'invalid_request');
    expectProblem(await anonymous.post(RESEND, { email: 'not an email' }), 400, 'invalid_request');
    expectProblem(await anonymous.post(RESEND, { email: 'a@example.com', x: 1 }), 400);
  });
});

describe('POST /auth/email/verify/resend, rate limits', () => {
  async function limitedServer(rateLimit: { verifyEmailPerAccount: number; loginPerIp: number }) {
    const limited = await startTestServer({ settings: { rateLimit } });
    const resend = (email: string) => new Client(limited.url).post(RESEND, { email });
    return { limited, resend };
  }

  it('limits per email, known or not, with Retry-After; a refused call is not mailed', async () => {
    const { limited, resend } = await limitedServer({ verifyEmailPerAccount: 2, loginPerIp: 100 });
    try {
      const email = uniqueEmail('limited');
      const client = new Client(limited.url);
      const registered = await client.post('/auth/register', { email, password: strongPassword });
      expect(registered.status).toBe(201);
      expect((await resend(email)).status).toBe(202);
      expect((await resend(email)).status).toBe(202);
      const refused = await resend(email);
      expectProblem(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Registration's mail and the two resends; not the refused one.
      expect(await verificationMails(limited, email)).toHaveLength(3);
      const unknown = uniqueEmail('limited-unknown');
      expect((await resend(unknown)).status).toBe(202);
      expect((await resend(unknown)).status).toBe(202);
      expectProblem(await resend(unknown), 429, 'rate_limited');
    } finally {
      await limited.stop();
    }
  });

  it('limits per source across emails', async () => {
    const { limited, resend } = await limitedServer({ verifyEmailPerAccount: 100, loginPerIp: 3 });
    try {
      for (let i = 0; i < 3; i += 1) expect((await resend(uniqueEmail('source'))).status).toBe(202);
      const email = uniqueEmail('source-known');
      await new Client(limited.url).post('/auth/register', { email, password: strongPassword });
      const refused = await resend(email);
      expectProblem(refused, 429, 'rate_limited');
      expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(await verificationMails(limited, email)).toHaveLength(1);
    } finally {
      await limited.stop();
    }
  });
});
