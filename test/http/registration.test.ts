import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonPasswords } from '../../src/crypto/common-passwords.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { outbox } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const register = (target: TestServer, email: string, password: string) =>
  new Client(target.url).post<{ user: Record<string, unknown> }>('/auth/register', {
    email,
    password,
  });

describe('password rules at registration', () => {
  const cases: Array<[string, (email: string) => string, RegExp]> = [
    ['too short (14 characters)', () => 'abcdefghijklmn', /at least 15 characters/],
    ['too long (257 characters)', () => 'a quiet river '.repeat(19).slice(0, 257), /at most 256/],
    ['common (passwordpassword)', () => 'passwordpassword', /common/i],
    [
      'containing the email local part',
      (email) => `my ${email.split('@')[0]} is a fine passphrase`,
      /email/i,
    ],
    ['made of the service name (gatehousegatehouse)', () => 'gatehousegatehouse', /gatehouse/i],
    ['containing the service name in any case', () => 'my GateHouse passphrase', /gatehouse/i],
  ];

  it('uses a common password that really is in the bundled list', () => {
    expect(commonPasswords().has('passwordpassword')).toBe(true);
  });

  for (const [rule, password, detail] of cases) {
    it(`rejects a password ${rule} with 400 weak_password naming the rule`, async () => {
      const email = uniqueEmail('weak');
      const response = await register(server, email, password(email));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: 400, code: 'weak_password' });
      expect((response.body as unknown as { detail: string }).detail).toMatch(detail);
      // Nothing was created: the same email then registers with a good password.
      expect((await register(server, email, strongPassword)).status).toBe(201);
      expect(
        (await new Client(server.url).post('/auth/login', { email, password: password(email) }))
          .status,
      ).toBe(401);
    });
  }

  it('refuses the configured context words instead (password.contextWords)', async () => {
    const acme = await startTestServer({
      settings: { password: { contextWords: ['Acme Corp', 'widgets'] } },
    });
    try {
      const refused = await register(acme, uniqueEmail('ctx'), 'the ACME CORP login for me');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'weak_password' });
      expect((refused.body as unknown as { detail: string }).detail).toMatch(/acme corp/i);
      expect((await register(acme, uniqueEmail('ctx'), 'all my widgets in a row')).status).toBe(
        400,
      );
      expect((await register(acme, uniqueEmail('ctx'), strongPassword)).status).toBe(201);
    } finally {
      await acme.stop();
    }
  });

  it('accepts exactly 15 and exactly 256 characters', async () => {
    expect((await register(server, uniqueEmail('min'), 'abcdefghijklmno')).status).toBe(201);
    const longest = 'a quiet river '.repeat(19).slice(0, 256);
    expect((await register(server, uniqueEmail('max'), longest)).status).toBe(201);
  });
});

describe('registering an email that already has an account', () => {
  it('answers like a new registration and mails the owner a notice', async () => {
    const email = uniqueEmail('taken');
    const first = await register(server, email, strongPassword);
    expect(first.status).toBe(201);
    const mailsBefore = (await outbox(server, email)).length;

    const second = await register(server, email, 'another long passphrase for you');
    expect(second.status).toBe(201);
    expect(Object.keys(second.body).sort()).toEqual(Object.keys(first.body).sort());
    expect(Object.keys(second.body.user).sort()).toEqual(Object.keys(first.body.user).sort());
    expect(second.body.user).toMatchObject({ email, emailVerified: false, roles: [] });
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));

    const mails = await outbox(server, email);
    expect(mails).toHaveLength(mailsBefore + 1);
    expect(mails.at(-1)?.subject).toMatch(/register/i);
    expect(mails.at(-1)?.text).not.toMatch(/token:/);
    // The original password still signs in; the attempt changed nothing.
    expect(
      (await new Client(server.url).post('/auth/login', { email, password: strongPassword }))
        .status,
    ).toBe(200);
    expect(
      (
        await new Client(server.url).post('/auth/login', {
          email,
          password: 'another long passphrase for you',
        })
      ).status,
    ).toBe(401);
  });

  it('treats the email case-insensitively', async () => {
    const email = uniqueEmail('case');
    expect((await register(server, email, strongPassword)).status).toBe(201);
    const mailsBefore = (await outbox(server, email)).length;
    expect((await register(server, email.toUpperCase(), strongPassword)).status).toBe(201);
    expect(await outbox(server, email)).toHaveLength(mailsBefore + 1);
  });

  it('answers 409 conflict when the deployment reveals registered emails', async () => {
    const revealing = await startTestServer({ settings: { revealRegisteredEmails: true } });
    try {
      const email = uniqueEmail('reveal');
      expect((await register(revealing, email, strongPassword)).status).toBe(201);
      const again = await register(revealing, email, strongPassword);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ status: 409, code: 'conflict' });
    } finally {
      await revealing.stop();
    }
  });
});
