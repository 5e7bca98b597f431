import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { outbox } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, smsOutbox, textedCode, uniquePhone, wrongCode } from '../helpers/sms.js';

const MINUTE = 60_000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    // Every test texts from 127.0.0.1: the per-source limit has its own test below.
    settings: { sms: { enabled: true, sendPerIp: 10_000 }, mfa: { requiredForRoles: ['admin'] } },
  });
});
afterAll(async () => server.stop());

/** A user with a verified number, signed out: the password now leads to a challenge. */
async function smsUser() {
  const user = await signedInUser(server);
  const phone = uniquePhone();
  const factorId = await enrolSms(server, user.client, phone);
  return { ...user, phone, factorId };
}

async function challengeOf(email: string, password: string): Promise<string> {
  const login = await new Client(server.url).post<{ challenge: string; methods: string[] }>(
    '/auth/login',
    { email, password },
  );
  expect(login.status).toBe(200);
  expect(login.body.methods).toEqual(['sms']);
  return login.body.challenge;
}

async function sendCode(challenge: string, phone: string): Promise<string> {
  const sent = await new Client(server.url).post('/auth/mfa/sms/send', { challenge });
  expect(sent.status, sent.text).toBe(202);
  expect(sent.body.to).toMatch(/^\+•+\d\d$/);
  expect(sent.body.to).not.toBe(phone);
  return textedCode(server, phone);
}

const verify = (client: Client, challenge: string, code: string) =>
  client.post('/auth/mfa/verify', { challenge, method: 'sms', code });

describe('enrolling a phone number', () => {
  it('texts a code to the number and makes it a factor only once the code comes back', async () => {
    const { client, email, password } = await signedInUser(server);
    const phone = uniquePhone();
    const setup = await client.post('/auth/mfa/sms/setup', { phone });
    expect(setup.status).toBe(202);
    expect(setup.body).toMatchObject({ sent: true, expiresIn: 300 });
    const texts = await smsOutbox(server, phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]?.body).toMatch(/^Your sign-in code is \d{6}\. It expires in 5 minutes\./);
    // Not a factor yet: the password alone still signs in.
    const before = await new Client(server.url).post('/auth/login', { email, password });
    expect(before.body.mfaRequired).toBeUndefined();
    expect(before.body.csrfToken).toBeTypeOf('string');

    const confirm = await client.post<{ factor: { id: string; name: string } }>(
      '/auth/mfa/sms/confirm',
      { code: await textedCode(server, phone) },
    );
    expect(confirm.status).toBe(201);
    expect(confirm.body.factor).toMatchObject({
      method: 'sms',
      name: `+${'•'.repeat(phone.length - 3)}${phone.slice(-2)}`,
    });
    const mails = await outbox(server, email);
    expect(mails.at(-1)?.subject).toBe('A sign-in method was added to your account');
    const after = await new Client(server.url).post('/auth/login', { email, password });
    expect(after.body).toMatchObject({ mfaRequired: true, methods: ['sms'] });
    expect(after.headers.getSetCookie()).toEqual([]);
  });

  it('refuses what is not an E.164 number with 400 and texts nothing', async () => {
    const { client } = await signedInUser(server);
    const before = (await smsOutbox(server)).length;
    for (const phone of [
      '07700900123',
      '+0447700900123',
      '+44 7700 900123',
      '+44770090012345678',
      '+44-7700-900123',
      '+12345',
      '+4477OO900123',
      '',
      '+447700900123\n',
    ]) {
      expectProblem(await client.post('/auth/mfa/sms/setup', { phone }), 400, 'invalid_request');
    }
    expectProblem(await client.post('/auth/mfa/sms/setup', {}), 400, 'invalid_request');
    expectProblem(await client.post('/auth/mfa/sms/setup', { phone: 447700900123 }), 400);
    expect((await smsOutbox(server)).length).toBe(before);
  });

  it('refuses a wrong code, and after 5 wrong tries the right one too', async () => {
    const { client, email, password } = await signedInUser(server);
    const phone = uniquePhone();
    await client.post('/auth/mfa/sms/setup', { phone });
    const code = await textedCode(server, phone);
    for (let i = 0; i < 5; i++)
      expectProblem(
        await client.post('/auth/mfa/sms/confirm', { code: wrongCode(code) }),
        401,
        'invalid_code',
      );
    expectProblem(await client.post('/auth/mfa/sms/confirm', { code }), 401, 'invalid_code');
    const login = await new Client(server.url).post('/auth/login', { email, password });
    expect(login.body.mfaRequired).toBeUndefined();
    expectProblem(await client.post('/auth/mfa/sms/confirm', { code: '12345' }), 400);
  });

  it('refuses an expired code, and a code replaced by a newer one', async () => {
    const { client } = await signedInUser(server);
    const phone = uniquePhone();
    await client.post('/auth/mfa/sms/setup', { phone });
    const first = await textedCode(server, phone);
    await client.post('/auth/mfa/sms/setup', { phone });
    const second = await textedCode(server, phone);
    if (first !== second)
      expectProblem(
        await client.post('/auth/mfa/sms/confirm', { code: first }),
        401,
        'invalid_code',
      );
    server.clock.advance(5 * MINUTE + 1000);
    expectProblem(
      await client.post('/auth/mfa/sms/confirm', { code: second }),
      401,
      'invalid_code',
    );
  });

  it("cannot confirm with another user's code", async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const phone = uniquePhone();
    await alice.client.post('/auth/mfa/sms/setup', { phone });
    const code = await textedCode(server, phone);
    await bob.client.post('/auth/mfa/sms/setup', { phone: uniquePhone() });
    expectProblem(await bob.client.post('/auth/mfa/sms/confirm', { code }), 401, 'invalid_code');
    expect((await alice.client.post('/auth/mfa/sms/confirm', { code })).status).toBe(201);
  });

  it('confirms once under 10 parallel uses of the code', async () => {
    const { client } = await signedInUser(server);
    const phone = uniquePhone();
    await client.post('/auth/mfa/sms/setup', { phone });
    const code = await textedCode(server, phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.post('/auth/mfa/sms/confirm', { code })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expect([401, 409]).toContain(r.status);
  });

  it('keeps one number per account: a second setup is 409', async () => {
    const { client } = await smsUser();
    expectProblem(
      await client.post('/auth/mfa/sms/setup', { phone: uniquePhone() }),
      409,
      'conflict',
    );
  });

  it('needs a sign-in within 10 minutes to set up or remove a number', async () => {
    const { client, factorId } = await smsUser();
    server.clock.advance(11 * MINUTE);
    const setup = await client.post('/auth/mfa/sms/setup', { phone: uniquePhone() });
    expectProblem(setup, 401, 'step_up_required');
    expect(setup.headers.get('www-authenticate')).toMatch(/insufficient_user_authentication/);
    expectProblem(await client.delete(`/auth/mfa/sms/${factorId}`), 401, 'step_up_required');
  });

  it('needs a sign-in within 10 minutes to confirm a number too: the confirm is what adds it', async () => {
    const { client, email, password } = await signedInUser(server);
    const phone = uniquePhone();
    server.clock.advance(8 * MINUTE);
    expect((await client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
    const code = await textedCode(server, phone);
    server.clock.advance(3 * MINUTE);
    expectProblem(await client.post('/auth/mfa/sms/confirm', { code }), 401, 'step_up_required');
    // Not a factor: the password alone still signs in.
    const login = await new Client(server.url).post('/auth/login', { email, password });
    expect(login.body.mfaRequired).toBeUndefined();
    expect(login.body.csrfToken).toBeTypeOf('string');
  });

  it('needs a signed-in account: anonymous callers get 401, an API key 403', async () => {
    const anonymous = new Client(server.url);
    expectProblem(await anonymous.post('/auth/mfa/sms/setup', { phone: uniquePhone() }), 401);
    expectProblem(await anonymous.post('/auth/mfa/sms/confirm', { code: '123456' }), 401);
    const { client } = await signedInUser(server);
    const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'ci',
    });
    expect(created.status).toBe(201);
    const withKey = await anonymous.post(
      '/auth/mfa/sms/setup',
      { phone: uniquePhone() },
      { headers: { authorization: `Bearer ${created.body.apiKey.key}` } },
    );
    expectProblem(withKey, 403, 'forbidden');
  });

  it('is open to a session that may only enrol a factor', async () => {
    const { client, email, password } = await signedInUser(server, { roles: ['admin'] });
    const me = await client.get<{ authentication: { restriction: string } }>('/auth/me');
    expect(me.body.authentication.restriction).toBe('mfa_enrollment');
    const phone = uniquePhone();
    await enrolSms(server, client, phone);
    const challenge = await challengeOf(email, password);
    const fresh = new Client(server.url);
    const done = await verify(fresh, challenge, await sendCode(challenge, phone));
    expect(done.status).toBe(200);
    expect(done.body.mfaEnrollmentRequired).toBeUndefined();
  });
});

describe('removing the number', () => {
  it("removes the caller's own number, mails the owner, and the password alone signs in again", async () => {
    const { client, email, password, factorId } = await smsUser();
    const other = await smsUser();
    expectProblem(await client.delete(`/auth/mfa/sms/${other.factorId}`), 404, 'not_found');
    expectProblem(await client.delete('/auth/mfa/sms/not-an-id!'), 400);
    expect((await client.delete(`/auth/mfa/sms/${factorId}`)).status).toBe(204);
    expect((await outbox(server, email)).at(-1)?.subject).toBe(
      'A sign-in method was removed from your account',
    );
    expectProblem(await client.delete(`/auth/mfa/sms/${factorId}`), 404);
    const login = await new Client(server.url).post('/auth/login', { email, password });
    expect(login.body.mfaRequired).toBeUndefined();
    expect((await challengeOf(other.email, other.password)).length).toBeGreaterThan(20);
  });
  it('refuses to remove the last way into an account without a password (409)', async () => {
    const { client, userId, factorId } = await smsUser();
    await server.core.store.db
      .updateTable('users')
      .set({ password_hash: null })
      .where('id', '=', userId)
      .execute();
    expectProblem(await client.delete(`/auth/mfa/sms/${factorId}`), 409, 'conflict');
  });

  it('a challenge whose account has removed its number gets no text and no sign-in', async () => {
    const { client, email, password, phone, factorId } = await smsUser();
    const challenge = await challengeOf(email, password);
    const code = await sendCode(challenge, phone);
    expect((await client.delete(`/auth/mfa/sms/${factorId}`)).status).toBe(204);
    const before = (await smsOutbox(server, phone)).length;
    expectProblem(
      await new Client(server.url).post('/auth/mfa/sms/send', { challenge }),
      400,
      'invalid_request',
    );
    expect(await smsOutbox(server, phone)).toHaveLength(before);
    expectProblem(await verify(new Client(server.url), challenge, code), 400, 'invalid_request');
  });
});

describe('SMS as the second factor', () => {
  it('completes a password login with the texted code: amr pwd+sms, aal2', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const client = new Client(server.url);
    const done = await verify(client, challenge, await sendCode(challenge, phone));
    expect(done.status, done.text).toBe(200);
    expect(done.body.csrfToken).toBeTypeOf('string');
    const me = await client.get<{ authentication: { amr: string[]; acr: string } }>('/auth/me');
    expect(me.body.authentication).toMatchObject({ amr: ['pwd', 'sms'], acr: 'aal2' });
  });

  it('refuses a wrong code (401 invalid_code) and dies after 5 wrong tries', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const code = await sendCode(challenge, phone);
    const client = new Client(server.url);
    for (let i = 0; i < 5; i++)
      expectProblem(await verify(client, challenge, wrongCode(code)), 401, 'invalid_code');
    expectProblem(await verify(client, challenge, code), 401, 'invalid_challenge');
  });

  it('refuses a code sent for another challenge or another user', async () => {
    const alice = await smsUser();
    const bob = await smsUser();
    const client = new Client(server.url);

    const first = await challengeOf(alice.email, alice.password);
    const oldCode = await sendCode(first, alice.phone);
    const second = await challengeOf(alice.email, alice.password);
    // A code belongs to the challenge it was sent for.
    expectProblem(await verify(client, second, oldCode), 401, 'invalid_code');

    const bobs = await challengeOf(bob.email, bob.password);
    const bobsCode = await sendCode(bobs, bob.phone);
    if (bobsCode !== oldCode)
      expectProblem(await verify(client, first, bobsCode), 401, 'invalid_code');
  });

  it('refuses a code that expired while its challenge lives; a new send works', async () => {
    const short = await startTestServer({
      settings: { sms: { enabled: true, codeLifetimeSeconds: 60 } },
    });
    try {
      const { client, email, password } = await signedInUser(short);
      const phone = uniquePhone();
      await enrolSms(short, client, phone);
      const login = await new Client(short.url).post<{ challenge: string }>('/auth/login', {
        email,
        password,
      });
      const { challenge } = login.body;
      const send = () => new Client(short.url).post('/auth/mfa/sms/send', { challenge });
      expect((await send()).status).toBe(202);
      const stale = await textedCode(short, phone);
      short.clock.advance(61_000);
      const fresh = new Client(short.url);
      expectProblem(await verify(fresh, challenge, stale), 401, 'invalid_code');
      expect((await send()).status).toBe(202);
      expect((await verify(fresh, challenge, await textedCode(short, phone))).status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('a used code is spent: replaying it on a new challenge fails', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const code = await sendCode(challenge, phone);
    expect((await verify(new Client(server.url), challenge, code)).status).toBe(200);
    expectProblem(await verify(new Client(server.url), challenge, code), 401, 'invalid_challenge');
    const again = await challengeOf(email, password);
    expectProblem(await verify(new Client(server.url), again, code), 401, 'invalid_code');
  });

  it('a newer send replaces the earlier code of the challenge', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const first = await sendCode(challenge, phone);
    const second = await sendCode(challenge, phone);
    if (first !== second)
      expectProblem(await verify(new Client(server.url), challenge, first), 401, 'invalid_code');
    expect((await verify(new Client(server.url), challenge, second)).status).toBe(200);
  });

  it('signs in once under 10 parallel uses of the right code', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const code = await sendCode(challenge, phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => verify(new Client(server.url), challenge, code)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect(r.status).toBe(401);
  });

  it('sends nothing for an unknown or used challenge', async () => {
    const before = (await smsOutbox(server)).length;
    const client = new Client(server.url);
    expectProblem(
      await client.post('/auth/mfa/sms/send', { challenge: 'x'.repeat(43) }),
      401,
      'invalid_challenge',
    );
    expectProblem(await client.post('/auth/mfa/sms/send', {}), 400);
    expect((await smsOutbox(server)).length).toBe(before);
  });

  it('never writes a code to the log or an audit event', async () => {
    const { email, password, phone } = await smsUser();
    const challenge = await challengeOf(email, password);
    const code = await sendCode(challenge, phone);
    await verify(new Client(server.url), challenge, code);
    expect(server.logs.join('\n')).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
    const events = await server.core.store.db.selectFrom('audit_events').select('detail').execute();
    for (const event of events) expect(event.detail).not.toContain(`"${code}"`);
    const rows = await server.core.store.db.selectFrom('sms_codes').select('code_hash').execute();
    for (const row of rows) expect(row.code_hash).not.toContain(code);
  });
});

describe('send limits (SMS pumping costs money)', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({
      settings: { sms: { enabled: true, sendPerNumber: 2, sendPerAccount: 3, sendPerIp: 1000 } },
    });
  });
  afterAll(async () => limited.stop());

  it('per number, whoever asks: 429 with Retry-After, and nothing texted', async () => {
    const phone = uniquePhone();
    const alice = await signedInUser(limited);
    const bob = await signedInUser(limited);
    expect((await alice.client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
    expect((await alice.client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
    const third = await bob.client.post('/auth/mfa/sms/setup', { phone });
    expectProblem(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await smsOutbox(limited, phone)).toHaveLength(2);
    // Another number is still open to bob.
    expect((await bob.client.post('/auth/mfa/sms/setup', { phone: uniquePhone() })).status).toBe(
      202,
    );
  });

  it('per account, across numbers; the window ends and sends open again', async () => {
    const { client } = await signedInUser(limited);
    for (let i = 0; i < 3; i++)
      expect((await client.post('/auth/mfa/sms/setup', { phone: uniquePhone() })).status).toBe(202);
    const phone = uniquePhone();
    expectProblem(await client.post('/auth/mfa/sms/setup', { phone }), 429, 'rate_limited');
    expect(await smsOutbox(limited, phone)).toHaveLength(0);
    limited.clock.advance(3600_000 + 1000);
    // The sign-in is old now too: sign in again, then send.
    const { client: again } = await signedInUser(limited);
    expect((await again.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
  });

  it('login codes count against the same limits', async () => {
    const { client, email, password } = await signedInUser(limited);
    const phone = uniquePhone();
    await enrolSms(limited, client, phone);
    const login = await new Client(limited.url).post<{ challenge: string }>('/auth/login', {
      email,
      password,
    });
    const send = () =>
      new Client(limited.url).post('/auth/mfa/sms/send', { challenge: login.body.challenge });
    expect((await send()).status).toBe(202);
    expectProblem(await send(), 429, 'rate_limited');
    expect(await smsOutbox(limited, phone)).toHaveLength(2);
  });

  it('per source', async () => {
    const strict = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 2 } } });
    try {
      const users = await Promise.all([1, 2, 3].map(() => signedInUser(strict)));
      const statuses = [];
      for (const { client } of users)
        statuses.push((await client.post('/auth/mfa/sms/setup', { phone: uniquePhone() })).status);
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      await strict.stop();
    }
  });
});

describe('SMS turned off (the default)', () => {
  let off: TestServer;
  beforeAll(async () => {
    off = await startTestServer();
  });
  afterAll(async () => off.stop());

  it('answers 404 on every SMS route', async () => {
    const { client } = await signedInUser(off);
    expectProblem(await client.post('/auth/mfa/sms/setup', { phone: uniquePhone() }), 404);
    expectProblem(await client.post('/auth/mfa/sms/confirm', { code: '123456' }), 404);
    expectProblem(await client.delete('/auth/mfa/sms/some-id'), 404);
    expectProblem(await client.post('/auth/mfa/sms/send', { challenge: 'x'.repeat(43) }), 404);
    expect(await smsOutbox(off)).toHaveLength(0);
  });

  it('never offers sms, even to an account that has a number', async () => {
    const { email, password, userId } = await signedInUser(off);
    await off.core.store.db
      .insertInto('sms_factors')
      .values({
        id: 'sms-row',
        user_id: userId,
        phone: uniquePhone(),
        created_at: off.clock.now(),
        last_used_at: null,
      })
      .execute();
    const login = await new Client(off.url).post('/auth/login', { email, password });
    expect(login.status).toBe(200);
    expect(login.body.mfaRequired).toBeUndefined();
    expect(login.body.csrfToken).toBeTypeOf('string');
  });
});
