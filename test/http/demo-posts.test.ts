import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';

interface PostBody {
  post: { id: string; category: string; title: string };
}

let demo: DemoServer;
const clients: Record<string, Client> = {};
beforeAll(async () => {
  demo = await startDemoServer();
  for (const user of ['alice', 'bob', 'carol', 'david'] as const)
    clients[user] = await demo.login(user);
});
afterAll(async () => demo.server.stop());

const as = (user: string): Client => {
  const client = clients[user];
  if (!client) throw new Error(`no client for ${user}`);
  return client;
};
const patch = (user: string, id: string, json: unknown) =>
  as(user).request<PostBody>('PATCH', `/demo/posts/${id}`, { json });
const create = (user: string, category = 'sports') =>
  as(user).post<PostBody>('/demo/posts', { title: `${user} writes`, body: 'Text.', category });

describe('CMS posts (Alice admin, Bob editor narrowed to sports, Carol viewer, David editor)', () => {
  it('refuses anonymous callers with 401 on every posts route', async () => {
    const anonymous = new Client(demo.server.url);
    const id = demo.seed.posts.sports;
    expect((await anonymous.get('/demo/posts')).status).toBe(401);
    expect(
      (await anonymous.post('/demo/posts', { title: 't', body: '', category: 'x' })).status,
    ).toBe(401);
    expect((await anonymous.get(`/demo/posts/${id}`)).status).toBe(401);
    expect((await anonymous.request('PATCH', `/demo/posts/${id}`, { json: {} })).status).toBe(401);
    expect((await anonymous.delete(`/demo/posts/${id}`)).status).toBe(401);
  });

  it('lets everyone with a role read every post, in one filtered list', async () => {
    for (const user of ['alice', 'bob', 'carol', 'david']) {
      const list = await as(user).get<{ posts: { id: string }[] }>('/demo/posts');
      expect(list.status).toBe(200);
      expect(list.body.posts.map((p) => p.id)).toEqual(
        expect.arrayContaining(Object.values(demo.seed.posts)),
      );
      expect((await as(user).get(`/demo/posts/${demo.seed.posts.politics}`)).status).toBe(200);
    }
  });

  it('admin creates, reads, updates and deletes any post and manages users', async () => {
    const created = await create('alice', 'politics');
    expect(created.status).toBe(201);
    const id = created.body.post.id;
    expect(
      (await patch('alice', demo.seed.posts.davidSports, { title: 'Edited by Alice' })).status,
    ).toBe(200);
    expect((await as('alice').delete(`/demo/posts/${id}`)).status).toBe(204);
    expect((await as('alice').get(`/demo/posts/${id}`)).status).toBe(404);
    expect((await as('alice').get('/admin/users')).status).toBe(200);
  });

  it('editor creates and updates but cannot delete or manage users', async () => {
    const created = await create('david', 'politics');
    expect(created.status).toBe(201);
    expect(
      (await patch('david', demo.seed.posts.politics, { body: 'David was here.' })).status,
    ).toBe(200);
    const refused = await as('david').delete(`/demo/posts/${created.body.post.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await as('david').get('/admin/users')).status).toBe(403);
  });

  it('Bob may update a sports post, not a politics one, nor move one out of sports', async () => {
    const sports = await patch('bob', demo.seed.posts.sports, { title: 'Cup final: 2-1' });
    expect(sports.status).toBe(200);
    expect(sports.body.post.title).toBe('Cup final: 2-1');
    const politics = await patch('bob', demo.seed.posts.politics, { title: 'Bob edits politics' });
    expect(politics.status).toBe(403);
    const moved = await patch('bob', demo.seed.posts.sports, { category: 'politics' });
    expect(moved.status).toBe(403);
    const after = await as('bob').get<PostBody>(`/demo/posts/${demo.seed.posts.sports}`);
    expect(after.body.post.category).toBe('sports');
    expect((await create('bob')).status).toBe(201);
    expect((await as('bob').delete(`/demo/posts/${demo.seed.posts.sports}`)).status).toBe(403);
    expect((await as('bob').get('/admin/users')).status).toBe(403);
  });

  it('viewer only reads', async () => {
    expect((await create('carol')).status).toBe(403);
    expect((await patch('carol', demo.seed.posts.sports, { title: 'Carol' })).status).toBe(403);
    expect((await as('carol').delete(`/demo/posts/${demo.seed.posts.sports}`)).status).toBe(403);
  });

  it('applies a role change through the admin API on the very next request', async () => {
    const carolId = demo.seed.users.carol;
    expect((await patch('carol', demo.seed.posts.sports, { title: 'Before' })).status).toBe(403);
    const promote = await as('alice').put(`/admin/users/${carolId}/roles`, { roles: ['editor'] });
    expect(promote.status).toBe(200);
    expect((await patch('carol', demo.seed.posts.sports, { title: 'Carol edits' })).status).toBe(
      200,
    );
    const demote = await as('alice').put(`/admin/users/${carolId}/roles`, { roles: ['viewer'] });
    expect(demote.status).toBe(200);
    expect((await patch('carol', demo.seed.posts.sports, { title: 'Again' })).status).toBe(403);
  });

  it('answers 404 for a post that does not exist and 400 for a malformed body', async () => {
    expect((await as('alice').get('/demo/posts/no-such-post')).status).toBe(404);
    const bad = await as('alice').post('/demo/posts', { title: '', body: 'x', category: 'sports' });
    expect(bad.status).toBe(400);
  });
});
