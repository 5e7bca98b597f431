import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { enrolTotp } from '../helpers/mfa.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, uniquePhone } from '../helpers/sms.js';

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface UserRow {
  id: string;
  email: string;
  createdAt: string;
}
interface UsersPage {
  users: UserRow[];
  next: string | null;
}

const create = (email: string) =>
  register(server.core, { email, password: strongPassword }, { ip: null, userAgent: 't' });

/** A tag no other test's address starts with, so a search finds this test's users only. */
const freshTag = () => `t${randomBytes(4).toString('hex')}`;

/** Every page of `/admin/users?…` from the first, following `next`. */
async function walk(query: string, limit = 2): Promise<{ users: UserRow[]; pages: number }> {
  const users: UserRow[] = [];
  let after: string | null = null;
  for (let pages = 1; pages < 200; pages++) {
    const response: { status: number; body: UsersPage } = await admin.get<UsersPage>(
      `/admin/users?${query}&limit=${limit}${after ? `&after=${after}` : ''}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.users.length).toBeLessThanOrEqual(limit);
    users.push(...response.body.users);
    if (response.body.next === null) return { users, pages };
    after = response.body.next;
  }
  throw new Error('the cursor never ended');
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('GET /admin/users: search by email prefix, sort, keyset pages', () => {
  it('finds addresses by prefix in any case, sorted by email both ways, across many pages', async () => {
    const tag = freshTag();
    const locals = ['mia', 'Zoe', 'adam', 'a.b', 'a-b', 'ab', 'bob', 'eve', 'a.z', 'a'];
    for (const local of locals) await create(`${tag}${local}@Example.com`);
    await create(`x${tag}a@example.com`); // contains the tag, does not start with it

    const asc = await walk(`q=${tag.toUpperCase()}&sort=email&order=asc`);
    const expected = locals.map((l) => `${tag}${l}@example.com`.toLowerCase()).sort(byteOrder);
    expect(asc.users.map((u) => u.email)).toEqual(expected);
    expect(asc.pages).toBe(Math.ceil(expected.length / 2));

    const desc = await walk(`q=${tag}&sort=email&order=desc`, 3);
    expect(desc.users.map((u) => u.email)).toEqual([...expected].reverse());

    const narrower = await walk(`q=${tag}a.&sort=email`);
    expect(narrower.users.map((u) => u.email)).toEqual([
      `${tag}a.b@example.com`,
      `${tag}a.z@example.com`,
    ]);
  });

  it('takes the prefix literally: % and _ are no wildcards', async () => {
    const tag = freshTag();
    await create(`${tag}_x@example.com`);
    await create(`${tag}ax@example.com`);
    await create(`${tag}%y@example.com`);
    const underscore = await admin.get<UsersPage>(`/admin/users?q=${tag}_`);
    expect(underscore.body.users.map((u) => u.email)).toEqual([`${tag}_x@example.com`]);
    const percent = await admin.get<UsersPage>(`/admin/users?q=${encodeURIComponent(`${tag}%`)}`);
    expect(percent.body.users.map((u) => u.email)).toEqual([`${tag}%y@example.com`]);
    const none = await admin.get<UsersPage>(`/admin/users?q=${tag}zzz`);
    expect(none.body).toEqual({ users: [], next: null });
  });

  it('sorts by creation time both ways, ties broken by id, the default unchanged', async () => {
    const tag = freshTag();
    for (let i = 0; i < 9; i++) {
      await create(`${tag}${i}@example.com`);
      if (i % 3 === 2) server.clock.advance(1000); // three users per millisecond
    }
    const order = (u: UserRow) => `${Date.parse(u.createdAt)}`.padStart(16, '0') + u.id;
    const asc = await walk(`q=${tag}&sort=created&order=asc`);
    expect(asc.users).toHaveLength(9);
    expect(asc.users.map(order)).toEqual(asc.users.map(order).sort());
    const desc = await walk(`q=${tag}&sort=created&order=desc`);
    expect(desc.users.map((u) => u.id)).toEqual(asc.users.map((u) => u.id).reverse());
    // No parameters: creation order, oldest first, as before.
    const byDefault = await walk(`q=${tag}`);
    expect(byDefault.users.map((u) => u.id)).toEqual(asc.users.map((u) => u.id));
  });

  it('a cursor stays put while users are added before and after it', async () => {
    const tag = freshTag();
    for (const local of ['c', 'e', 'g', 'i']) await create(`${tag}${local}@example.com`);
    const first = await admin.get<UsersPage>(`/admin/users?q=${tag}&sort=email&limit=2`);
    expect(first.body.users.map((u) => u.email)).toEqual([
      `${tag}c@example.com`,
      `${tag}e@example.com`,
    ]);
    await create(`${tag}a@example.com`); // before the cursor: not on later pages
    await create(`${tag}f@example.com`); // after it: shown in its place
    const rest = await admin.get<UsersPage>(
      `/admin/users?q=${tag}&sort=email&limit=10&after=${first.body.next}`,
    );
    expect(rest.body.users.map((u) => u.email)).toEqual([
      `${tag}f@example.com`,
      `${tag}g@example.com`,
      `${tag}i@example.com`,
    ]);
  });

  it('refuses a cursor of another sort or order, a forged one, and bad parameters with 400', async () => {
    const tag = freshTag();
    for (const local of ['a', 'b', 'c']) await create(`${tag}${local}@example.com`);
    const page = await admin.get<UsersPage>(`/admin/users?q=${tag}&sort=email&limit=1`);
    const cursor = page.body.next as string;
    expect(cursor).toBeTruthy();
    const forged = Buffer.from(`email.asc.x'--.${tag}a@example.com`).toString('base64url');
    for (const query of [
      `sort=created&after=${cursor}`,
      `sort=email&order=desc&after=${cursor}`,
      `after=${cursor}`,
      `sort=email&after=${forged}`,
      `sort=email&after=${cursor}x`,
      'sort=name',
      'order=up',
      'limit=0',
      'q=a%01b',
      `q=${'a'.repeat(255)}`,
    ]) {
      const response = await admin.get(`/admin/users?${query}`);
      expectProblem(response, 400, 'invalid_request');
    }
  });
});

describe('GET /admin/users/:id: a user in full, no secret', () => {
  it('shows roles, ban and reason, verification, sessions with their device, and factors', async () => {
    const { client, email, userId } = await signedInUser(server, { roles: ['admin'] });
    const { secret } = await enrolTotp(server, client);
    const codes = await client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    expect(codes.status, codes.text).toBe(201);
    const phone = uniquePhone();
    await enrolSms(server, client, phone);
    const passkey = await insertTestPasskey(server, userId, { name: 'Laptop key' });
    const device = new Client(server.url);
    const second = await device.post(
      '/auth/login',
      { email, password: strongPassword },
      {
        headers: { 'user-agent': 'Phone browser/2.0' },
      },
    );
    expect(second.status).toBe(200); // a challenge: no session yet
    expect((await admin.post(`/admin/users/${userId}/ban`, { reason: 'chargebacks' })).status).toBe(
      200,
    );

    const response = await admin.get<{
      user: Record<string, unknown>;
      sessions: Array<Record<string, unknown>>;
      factors: { factors: Array<Record<string, unknown>>; recoveryCodesRemaining: number };
    }>(`/admin/users/${userId}`);
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({
      id: userId,
      email,
      roles: ['admin'],
      banned: true,
      bannedReason: 'chargebacks',
      emailVerified: false,
    });
    expect(typeof response.body.user.bannedAt).toBe('string');
    // The ban ended every session.
    expect(response.body.sessions).toEqual([]);
    const methods = response.body.factors.factors.map((f) => f.method).sort();
    expect(methods).toEqual(['sms', 'totp', 'webauthn']);
    expect(response.body.factors.factors.find((f) => f.method === 'webauthn')).toMatchObject({
      id: passkey.id,
      name: 'Laptop key',
    });
    expect(response.body.factors.recoveryCodesRemaining).toBe(10);

    const text = response.text;
    for (const secretText of [
      secret,
      phone,
      passkey.publicKey,
      passkey.credentialId,
      ...codes.body.codes,
      ...client.cookies.values(),
      client.csrfToken as string,
    ]) {
      expect(text).not.toContain(secretText);
    }
    expect(text).not.toMatch(/argon2|password|hash|token|secret/i);
  });

  it("lists a live user's sessions with user agent, IP, times and acr", async () => {
    const { email, userId } = await signedInUser(server);
    const device = new Client(server.url);
    const login = await device.post(
      '/auth/login',
      { email, password: strongPassword },
      {
        headers: { 'user-agent': 'Admin-visible agent/1.0' },
      },
    );
    expect(login.status).toBe(200);
    const response = await admin.get<{ sessions: Array<Record<string, unknown>> }>(
      `/admin/users/${userId}`,
    );
    expect(response.body.sessions).toHaveLength(2);
    const session = response.body.sessions.find((s) => s.userAgent === 'Admin-visible agent/1.0');
    expect(session).toMatchObject({ ip: '127.0.0.1', acr: 'aal1', amr: ['pwd'] });
    expect(Date.parse(String(session?.createdAt))).toBe(server.clock.now());
    expect(Date.parse(String(session?.lastSeenAt))).toBe(server.clock.now());
  });

  it('404 for an unknown id, 400 for a malformed one', async () => {
    expectProblem(
      await admin.get('/admin/users/00000000-0000-0000-0000-000000000000'),
      404,
      'not_found',
    );
    expectProblem(await admin.get('/admin/users/not%20an%20id'), 400, 'invalid_request');
  });
});

describe('every new admin route: 401 for strangers, 403 for a user without the permission', () => {
  const someone = '00000000-0000-0000-0000-000000000000';
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/admin/users?q=a&sort=email&order=desc'],
    ['GET', `/admin/users/${someone}`],
    ['POST', `/admin/users/${someone}/sessions/revoke`],
    ['POST', `/admin/users/${someone}/factors/reset`],
    ['GET', '/admin/audit?outcome=failure'],
    ['GET', '/admin/audit.csv'],
    ['GET', '/authz/policy'],
    [
      'POST',
      '/authz/explain',
      { userId: someone, action: 'users:manage', resource: { type: 'users' } },
    ],
  ];
  for (const [method, path, json] of routes) {
    it(`${method} ${path}`, async () => {
      const anonymous = await new Client(server.url).request(method, path, { json });
      expectProblem(anonymous, 401, 'unauthenticated');
      const { client, userId } = await signedInUser(server);
      // Their own id changes nothing: these are not the account's own routes.
      const own = path.replace(someone, userId);
      const plain = await client.request(method, own, {
        json: json && JSON.parse(JSON.stringify(json).replace(someone, userId)),
      });
      expectProblem(plain, 403, 'forbidden');
    });
  }
});
