import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { recordAuditEvent } from '../../src/store/repositories/audit-events.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface UsersPage {
  users: Array<{ id: string; createdAt: string }>;
  next: string | null;
}
interface AuditPage {
  events: Array<{ id: number; at: string; type: string; userId: string | null }>;
  next: string | null;
}

/** Follows `next` from the first page to the last, collecting every item. */
async function walk<T>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; next: string | null }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages < 100; pages++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.next === null) return { items, pages };
    cursor = page.next;
  }
  throw new Error('the cursor never ended');
}

describe('GET /admin/users: keyset pages', () => {
  it('walks every user exactly once in creation order, ties broken by id', async () => {
    // Some users share a creation millisecond: the cursor must not skip or repeat them.
    for (let i = 0; i < 8; i++) {
      await register(
        server.core,
        { email: uniqueEmail('page'), password: strongPassword },
        { ip: null, userAgent: 't' },
      );
      if (i % 3 === 2) server.clock.advance(1000);
    }
    const whole = await admin.get<UsersPage>('/admin/users?limit=500');
    expect(whole.status).toBe(200);
    expect(whole.body.next).toBeNull();
    expect(whole.body.users.length).toBeGreaterThanOrEqual(9);

    const { items, pages } = await walk(async (cursor) => {
      const response = await admin.get<UsersPage>(
        `/admin/users?limit=2${cursor ? `&after=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.users.length).toBeLessThanOrEqual(2);
      return { items: response.body.users, next: response.body.next };
    });
    expect(items.map((u) => u.id)).toEqual(whole.body.users.map((u) => u.id));
    expect(pages).toBe(Math.ceil(whole.body.users.length / 2));
    const order = items.map((u) => `${Date.parse(u.createdAt)}`.padStart(16, '0') + u.id);
    expect(order).toEqual([...order].sort());
  });
});

describe('GET /admin/audit: keyset pages, newest first', () => {
  it('walks one user’s events with before=, same order as one big page, ties broken by id', async () => {
    const { userId } = await signedInUser(server);
    const base = server.clock.now();
    for (let i = 0; i < 7; i++) {
      // Pairs share a millisecond.
      await recordAuditEvent(
        server.core.store.db,
        { type: 'logout', outcome: 'success', userId, ip: null, userAgent: null },
        base + Math.floor(i / 2),
      );
    }
    const whole = await admin.get<AuditPage>(`/admin/audit?userId=${userId}&limit=500`);
    expect(whole.status).toBe(200);
    expect(whole.body.next).toBeNull();
    expect(whole.body.events.length).toBeGreaterThanOrEqual(8);
    expect(whole.body.events.every((e) => e.userId === userId)).toBe(true);

    const { items } = await walk(async (cursor) => {
      const response = await admin.get<AuditPage>(
        `/admin/audit?userId=${userId}&limit=3${cursor ? `&before=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      return { items: response.body.events, next: response.body.next };
    });
    expect(items.map((e) => e.id)).toEqual(whole.body.events.map((e) => e.id));
    const keys = items.map((e) => [Date.parse(e.at), e.id] as const);
    const sorted = [...keys].sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    expect(keys).toEqual(sorted);
  });

  it('pages by type too', async () => {
    const { items } = await walk(async (cursor) => {
      const response = await admin.get<AuditPage>(
        `/admin/audit?type=login&limit=1${cursor ? `&before=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      return { items: response.body.events, next: response.body.next };
    });
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((e) => e.type === 'login')).toBe(true);
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
  });
});

describe('cursors that are not cursors', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const bad = [
    'not-a-cursor',
    '%00',
    '%E2%80%AE',
    b64('1.x\u0000y'),
    b64('-1.abc'),
    b64('99999999999999999999.abc'),
    b64('{"at":1}'),
    'A'.repeat(600),
  ];
  it.each([
    ['/admin/users?after=', bad],
    // The audit cursor's id is a number: a text id must not reach an integer column.
    ['/admin/audit?before=', [...bad, b64('1.abc'), b64('1.1e3')]],
  ])('%s… → 400 invalid_request problem', async (prefix, cursors) => {
    for (const cursor of cursors) {
      const response = await admin.get(`${prefix}${cursor}`);
      expect(response.status, cursor).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('invalid_request');
    }
  });

  it('a cursor from one list is refused by the other when it cannot fit', async () => {
    const first = await admin.get<UsersPage>('/admin/users?limit=1');
    expect(first.body.next).toEqual(expect.any(String));
    const response = await admin.get(`/admin/audit?before=${first.body.next}`);
    expect(response.status).toBe(400);
  });
});
