import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { auditOf } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface UserRow {
  id: string;
  email: string;
  roles: string[];
  banned: boolean;
  bannedAt: string | null;
  bannedReason: string | null;
}
interface UsersPage {
  users: UserRow[];
  next: string | null;
}

const create = (email: string, roles: string[] = []) =>
  register(server.core, { email, password: strongPassword, roles }, { ip: null, userAgent: 't' });

/** Every page from the first, two at a time, following `next`. */
async function walk(query: string): Promise<string[]> {
  const emails: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const response: { status: number; body: UsersPage; text: string } = await admin.get<UsersPage>(
      `/admin/users?${query}&limit=2${after ? `&after=${after}` : ''}`,
    );
    expect(response.status, response.text).toBe(200);
    emails.push(...response.body.users.map((u) => u.email));
    if (response.body.next === null) return emails;
    after = response.body.next;
  }
  throw new Error('the cursor never ended');
}

describe('GET /admin/users: filter by role and by ban, with the email prefix and keyset pages', () => {
  it('combines prefix, role and banned; pages keep the filter and the order', async () => {
    const tag = `f${randomBytes(4).toString('hex')}`;
    const users = {
      adminA: await create(`${tag}a@example.com`, ['admin']),
      plainB: await create(`${tag}b@example.com`),
      adminC: await create(`${tag}c@example.com`, ['admin']),
      plainD: await create(`${tag}d@example.com`),
      adminE: await create(`${tag}e@example.com`, ['admin']),
    };
    for (const user of [users.adminC, users.plainD]) {
      const ban = await admin.post(`/admin/users/${user.id}/ban`, { reason: 'spam' });
      expect(ban.status).toBe(200);
    }
    const base = `q=${tag}&sort=email`;
    expect(await walk(`${base}&role=admin`)).toEqual([
      `${tag}a@example.com`,
      `${tag}c@example.com`,
      `${tag}e@example.com`,
    ]);
    expect(await walk(`${base}&banned=true`)).toEqual([
      `${tag}c@example.com`,
      `${tag}d@example.com`,
    ]);
    expect(await walk(`${base}&banned=false&role=admin`)).toEqual([
      `${tag}a@example.com`,
      `${tag}e@example.com`,
    ]);
    expect(await walk(`${base}&order=desc&banned=false`)).toEqual([
      `${tag}e@example.com`,
      `${tag}b@example.com`,
      `${tag}a@example.com`,
    ]);
    expect(await walk(`q=${tag}&role=admin&banned=true`)).toEqual([`${tag}c@example.com`]);
    expect(await walk(`q=${tag}&role=nobody`)).toEqual([]);
  });

  it('shows the ban reason and time in the list and the user, and the ban is audited once', async () => {
    const user = await create(`r${randomBytes(4).toString('hex')}@example.com`);
    const reason = 'Chargebacks on three orders';
    expect((await admin.post(`/admin/users/${user.id}/ban`, { reason })).status).toBe(200);
    const listed = await admin.get<UsersPage>(`/admin/users?q=${user.email}&banned=true`);
    expect(listed.body.users).toEqual([
      expect.objectContaining({ id: user.id, banned: true, bannedReason: reason }),
    ]);
    expect(Date.parse(String(listed.body.users[0]?.bannedAt))).not.toBeNaN();
    const detail = await admin.get<{ user: UserRow }>(`/admin/users/${user.id}`);
    expect(detail.body.user).toMatchObject({ banned: true, bannedReason: reason });
    expect(await auditOf(server, user.id, 'user_banned')).toHaveLength(1);
    // The admin's page for the user shows it too.
    const page = await admin.get(`/admin/user/${user.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(reason);
  });

  it('refuses a malformed role or banned value with 400', async () => {
    expectProblem(await admin.get('/admin/users?role=Not%20A%20Role'), 400);
    expectProblem(await admin.get('/admin/users?banned=yes'), 400);
  });
});
