/**
 * IDOR: as user A, call every id-taking route of the demo with user B's ids
 * and expect refusal everywhere. The walk is checked against the route table,
 * so a new id-taking demo route cannot be left out of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoutes } from '../../examples/demo/routes.js';
import type { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => demo.server.stop());

type Kind = 'posts' | 'docs' | 'orders';

interface Step {
  method: string;
  url: string;
  kind: Kind;
  body?: unknown;
}

/** Every id-taking demo route, with a body that would be valid. */
const walk: Step[] = [
  { method: 'GET', url: '/demo/posts/:id', kind: 'posts' },
  { method: 'PATCH', url: '/demo/posts/:id', kind: 'posts', body: { title: 'Taken over' } },
  { method: 'DELETE', url: '/demo/posts/:id', kind: 'posts' },
  { method: 'GET', url: '/demo/docs/:id', kind: 'docs' },
  { method: 'PATCH', url: '/demo/docs/:id', kind: 'docs', body: { body: 'Taken over' } },
  {
    method: 'POST',
    url: '/demo/docs/:id/share',
    kind: 'docs',
    body: { email: 'carol@example.com', permissions: ['read', 'write', 'share'] },
  },
  { method: 'GET', url: '/demo/orders/:id', kind: 'orders' },
];

async function ownedBy(owner: Client, ownerName: string): Promise<Record<Kind, string[]>> {
  const post = await owner.post<{ post: { id: string } }>('/demo/posts', {
    title: `${ownerName}'s post`,
    body: '',
    category: 'politics',
  });
  const doc = await owner.post<{ document: { id: string } }>('/demo/docs', {
    title: `${ownerName}'s private doc`,
  });
  const ids = {
    posts: [post.body.post.id],
    docs: [doc.body.document.id],
    orders: [...demo.seed.orders.david],
  };
  if (post.status !== 201 || doc.status !== 201) throw new Error('setup failed');
  return ids;
}

describe('IDOR walk: Carol with David’s ids', () => {
  it('covers every id-taking demo route', () => {
    const idRoutes = demoRoutes
      .filter((route) => route.url.includes(':id'))
      .map((route) => `${route.method} ${route.url}`)
      .sort();
    expect(walk.map((step) => `${step.method} ${step.url}`).sort()).toEqual(idRoutes);
  });

  it('is refused on every route: 404 where Carol may not see the object, 403 where she may', async () => {
    const david = await demo.login('david');
    const carol = await demo.login('carol');
    const ids = await ownedBy(david, 'david');
    for (const step of walk) {
      for (const id of ids[step.kind]) {
        const path = step.url.replace(':id', id);
        const response = await carol.request(step.method, path, {
          ...(step.body === undefined ? {} : { json: step.body }),
        });
        const label = `${step.method} ${path}`;
        if (step.kind === 'posts' && step.method === 'GET') {
          // The CMS policy lets every viewer read every post: reading is not a refusal case.
          expect(response.status, label).toBe(200);
          continue;
        }
        const expected = step.kind === 'posts' ? 403 : 404;
        expect(response.status, label).toBe(expected);
        expect(response.body.code, label).toBe(expected === 403 ? 'forbidden' : 'not_found');
      }
    }
    // Nothing changed behind the refusals.
    const docs = await david.get<{ documents: { id: string; body: string }[] }>('/demo/docs');
    const own = docs.body.documents.find((d) => d.id === ids.docs[0]);
    expect(own?.body).toBe('');
    const post = await david.get<{ post: { title: string } }>(`/demo/posts/${ids.posts[0]}`);
    expect(post.body.post.title).toBe("david's post");
    expect(
      (await carol.get<{ documents: { id: string }[] }>('/demo/docs')).body.documents.map(
        (d) => d.id,
      ),
    ).not.toContain(ids.docs[0]);
  });

  it('is refused the same way for the admin on others’ documents and orders', async () => {
    const alice = await demo.login('alice');
    const david = await demo.login('david');
    const ids = await ownedBy(david, 'david-again');
    for (const step of walk.filter((s) => s.kind !== 'posts')) {
      for (const id of ids[step.kind]) {
        const path = step.url.replace(':id', id);
        const response = await alice.request(step.method, path, {
          ...(step.body === undefined ? {} : { json: step.body }),
        });
        expect(response.status, `${step.method} ${path}`).toBe(404);
      }
    }
  });
});
