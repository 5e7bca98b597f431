import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { sameAnswer } from '../helpers/problem.js';

interface OrderList {
  orders: { id: string; ownerId: string }[];
}

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => demo.server.stop());

describe('orders (IDOR)', () => {
  it('lists only the caller’s own orders, for every seeded user', async () => {
    for (const user of ['alice', 'bob', 'carol', 'david'] as const) {
      const client = await demo.login(user);
      const list = await client.get<OrderList>('/demo/orders');
      expect(list.status).toBe(200);
      expect(list.body.orders.map((o) => o.id).sort()).toEqual([...demo.seed.orders[user]].sort());
      expect(list.body.orders.every((o) => o.ownerId === demo.seed.users[user])).toBe(true);
    }
  });

  it('reads one’s own order and answers 404 for anyone else’s, admin included', async () => {
    const bob = await demo.login('bob');
    const alice = await demo.login('alice');
    const [bobsOrder] = demo.seed.orders.bob;
    expect((await bob.get(`/demo/orders/${bobsOrder}`)).status).toBe(200);
    for (const client of [alice, await demo.login('carol')]) {
      const refused = await client.get(`/demo/orders/${bobsOrder}`);
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('not_found');
      // Same answer as for an id that does not exist: nothing to learn by probing.
      const missing = await client.get('/demo/orders/00000000-0000-0000-0000-000000000000');
      expect(sameAnswer(missing)).toBe(sameAnswer(refused));
    }
  });

  it('places an order owned by the caller', async () => {
    const carol = await demo.login('carol');
    const created = await carol.post<{ order: { id: string; ownerId: string } }>('/demo/orders', {
      item: 'tea',
      total: 350,
    });
    expect(created.status).toBe(201);
    expect(created.body.order.ownerId).toBe(demo.seed.users.carol);
    const list = await carol.get<OrderList>('/demo/orders');
    expect(list.body.orders.map((o) => o.id)).toContain(created.body.order.id);
    const david = await demo.login('david');
    expect((await david.get(`/demo/orders/${created.body.order.id}`)).status).toBe(404);
  });

  it('refuses anonymous callers with 401', async () => {
    const anonymous = new Client(demo.server.url);
    expect((await anonymous.get('/demo/orders')).status).toBe(401);
    expect((await anonymous.post('/demo/orders', { item: 'x', total: 1 })).status).toBe(401);
    expect((await anonymous.get(`/demo/orders/${demo.seed.orders.bob[0]}`)).status).toBe(401);
  });
});
