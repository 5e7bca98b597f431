import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { sameAnswer } from '../helpers/problem.js';

interface DocList {
  documents: { id: string; title: string }[];
}

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => demo.server.stop());

const listed = async (client: Client): Promise<string[]> =>
  (await client.get<DocList>('/demo/docs')).body.documents.map((d) => d.id);
const patch = (client: Client, id: string, json: unknown) =>
  client.request('PATCH', `/demo/docs/${id}`, { json });

describe('documents with sharing ("Q3 Financial Report")', () => {
  it('follows the seeded ACL: Alice read+write, Bob read, Carol nothing, David read+write+share', async () => {
    const q3 = demo.seed.docs.q3Report;
    const [alice, bob, carol, david] = await Promise.all(
      (['alice', 'bob', 'carol', 'david'] as const).map((user) => demo.login(user)),
    );
    if (!alice || !bob || !carol || !david) throw new Error('login failed');
    const share = (client: Client) =>
      client.post(`/demo/docs/${q3}/share`, { email: 'carol@example.com', permissions: ['read'] });

    expect((await alice.get(`/demo/docs/${q3}`)).status).toBe(200);
    expect((await patch(alice, q3, { body: 'Alice revised.' })).status).toBe(200);
    expect((await share(alice)).status).toBe(403);

    expect((await bob.get(`/demo/docs/${q3}`)).status).toBe(200);
    expect((await patch(bob, q3, { body: 'Bob revised.' })).status).toBe(403);
    expect((await share(bob)).status).toBe(403);

    expect((await carol.get(`/demo/docs/${q3}`)).status).toBe(404);
    expect((await patch(carol, q3, { body: 'Carol revised.' })).status).toBe(404);
    expect(await listed(carol)).not.toContain(q3);

    expect((await patch(david, q3, { body: 'David revised.' })).status).toBe(200);
    for (const client of [alice, bob, david]) expect(await listed(client)).toContain(q3);

    const shared = await share(david);
    expect(shared.status).toBe(202);
    expect(shared.body).toEqual({ accepted: true, permissions: ['read'] });
    // The grant is read from the store on the very next request.
    expect(await listed(carol)).toContain(q3);
    expect((await carol.get(`/demo/docs/${q3}`)).status).toBe(200);
    expect((await patch(carol, q3, { body: 'Carol revised.' })).status).toBe(403);
  });

  it('answers the same whether or not the email has an account, and grants only to accounts', async () => {
    const [carol, bob] = await Promise.all([demo.login('carol'), demo.login('bob')]);
    if (!carol || !bob) throw new Error('login failed');
    const created = await carol.post<{ document: { id: string } }>('/demo/docs', {
      title: 'Guest list',
    });
    const id = created.body.document.id;
    const share = (email: string) =>
      carol.post(`/demo/docs/${id}/share`, { email, permissions: ['read'] });
    const unknown = await share('nobody@example.com');
    const known = await share('bob@example.com');
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(unknown.status);
    expect(known.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(sameAnswer(known)).toBe(sameAnswer(unknown));
    expect(JSON.parse(known.text)).toEqual({ accepted: true, permissions: ['read'] });
    // The known account got the grant; nothing was created for the unknown address.
    expect((await bob.get(`/demo/docs/${id}`)).status).toBe(200);
    const grants = await demo.server.core.store.db
      .selectFrom('acl_grants')
      .select('subject_id')
      .where('resource_id', '=', id)
      .execute();
    expect(grants.map((g) => g.subject_id)).toEqual([demo.seed.users.bob]);
  });

  it('only grants what the sharer holds', async () => {
    const david = await demo.login('david');
    const q3 = demo.seed.docs.q3Report;
    const bad = await david.post(`/demo/docs/${q3}/share`, {
      email: 'bob@example.com',
      permissions: ['delete'],
    });
    expect(bad.status).toBe(400);
    const bob = await demo.login('bob');
    expect((await patch(bob, q3, { title: 'Q3 (Bob)' })).status).toBe(403);
    const write = await david.post(`/demo/docs/${q3}/share`, {
      email: 'bob@example.com',
      permissions: ['write'],
    });
    expect(write.status).toBe(202);
    expect((await patch(bob, q3, { title: 'Q3 (Bob)' })).status).toBe(200);
    // Write was added to Bob's read, not put in its place.
    expect((await bob.get(`/demo/docs/${q3}`)).status).toBe(200);
  });

  it("refuses a grant naming the owner, and a grant cannot narrow the owner's rights", async () => {
    const [carol, david] = await Promise.all([demo.login('carol'), demo.login('david')]);
    if (!carol || !david) throw new Error('login failed');
    const created = await carol.post<{ document: { id: string } }>('/demo/docs', {
      title: "Carol's plan",
    });
    const id = created.body.document.id;
    const toDavid = await carol.post(`/demo/docs/${id}/share`, {
      email: 'david@example.com',
      permissions: ['read', 'write', 'share'],
    });
    expect(toDavid.status).toBe(202);
    // David holds share, and shares read "back" to Carol, who owns the document.
    const back = await david.post<{ code: string; detail: string }>(`/demo/docs/${id}/share`, {
      email: 'carol@example.com',
      permissions: ['read'],
    });
    expect(back.status).toBe(400);
    expect(back.body).toMatchObject({
      code: 'invalid_request',
      detail: expect.stringContaining("owner's rights come from ownership"),
    });
    // The owner cannot grant to herself either; her rights are untouched.
    const self = await carol.post(`/demo/docs/${id}/share`, {
      email: 'carol@example.com',
      permissions: ['read'],
    });
    expect(self.status).toBe(400);
    expect((await patch(carol, id, { body: 'Still mine.' })).status).toBe(200);
    const onward = await carol.post(`/demo/docs/${id}/share`, {
      email: 'bob@example.com',
      permissions: ['read'],
    });
    expect(onward.status).toBe(202);
    // The Q3 report's owner is David: a grant naming him is refused too.
    const q3 = demo.seed.docs.q3Report;
    const alice = await demo.login('alice');
    expect(
      (
        await david.post(`/demo/docs/${q3}/share`, {
          email: 'david@example.com',
          permissions: ['read'],
        })
      ).status,
    ).toBe(400);
    expect((await alice.get(`/demo/docs/${q3}`)).status).toBe(200);
  });

  it('makes the creator the owner: read, write and share; invisible to others until shared', async () => {
    const carol = await demo.login('carol');
    const bob = await demo.login('bob');
    const created = await carol.post<{ document: { id: string } }>('/demo/docs', {
      title: "Carol's notes",
    });
    expect(created.status).toBe(201);
    const id = created.body.document.id;
    expect((await carol.get(`/demo/docs/${id}`)).status).toBe(200);
    expect((await patch(carol, id, { body: 'More notes.' })).status).toBe(200);
    expect((await bob.get(`/demo/docs/${id}`)).status).toBe(404);
    expect(await listed(bob)).not.toContain(id);
    const shared = await carol.post(`/demo/docs/${id}/share`, {
      email: 'bob@example.com',
      permissions: ['read', 'write'],
    });
    expect(shared.status).toBe(202);
    expect(await listed(bob)).toContain(id);
    expect((await patch(bob, id, { body: 'Bob adds.' })).status).toBe(200);
    expect(
      (
        await bob.post(`/demo/docs/${id}/share`, {
          email: 'david@example.com',
          permissions: ['read'],
        })
      ).status,
    ).toBe(403);
  });
});

describe('POST /authz/check against stored grants', () => {
  it('reads the ACL of a resource named by id from the store', async () => {
    const bob = await demo.login('bob');
    const ask = (action: string) =>
      bob.post<{ allowed: boolean; reason: string }>('/authz/check', {
        action,
        resource: { type: 'documents', id: demo.seed.docs.q3Report },
      });
    expect((await ask('documents:read')).body).toEqual({ allowed: true, reason: 'acl:granted' });
    expect((await ask('documents:share')).body).toEqual({
      allowed: false,
      reason: 'acl:not_granted',
    });
    const batch = await bob.post<{ results: { allowed: boolean }[] }>('/authz/check-batch', {
      checks: [
        { action: 'posts:update', resource: { type: 'posts', attributes: { category: 'sports' } } },
        {
          action: 'posts:update',
          resource: { type: 'posts', attributes: { category: 'politics' } },
        },
      ],
    });
    expect(batch.body.results.map((r) => r.allowed)).toEqual([true, false]);
  });
});

describe('the attribute-guarded document ("Engineering Handbook")', () => {
  // Europe/London is on GMT in January: 2026-01-07 is a Wednesday.
  const wednesday10 = Date.parse('2026-01-07T10:00:00Z');
  const wednesday18 = Date.parse('2026-01-07T18:00:00Z');
  const saturday10 = Date.parse('2026-01-10T10:00:00Z');

  const canRead = async (user: 'alice' | 'bob' | 'carol' | 'david') => {
    const client = await demo.login(user);
    const handbook = demo.seed.docs.handbook;
    const one = (await client.get(`/demo/docs/${handbook}`)).status;
    const inList = (await listed(client)).includes(handbook);
    expect(inList).toBe(one === 200);
    return one;
  };

  it('lets a cleared engineer read internal documents in business hours only', async () => {
    demo.server.clock.set(wednesday10);
    expect(await canRead('carol')).toBe(200);
    demo.server.clock.set(wednesday18);
    expect(await canRead('carol')).toBe(404);
    demo.server.clock.set(saturday10);
    expect(await canRead('carol')).toBe(404);
  });

  it('refuses an engineer without clearance and a cleared non-engineer, even in hours', async () => {
    demo.server.clock.set(wednesday10);
    expect(await canRead('david')).toBe(404);
    expect(await canRead('bob')).toBe(404);
    // Alice is not an engineer, but she owns it.
    expect(await canRead('alice')).toBe(200);
  });
});
