/** Orders with IDOR protection: only one's own are listed or readable; others' ids answer 404. */
import { z } from 'zod';
import { requireAccess, requirePermission } from '../../../src/http/access.js';
import { defineRoute } from '../../../src/http/route.js';
import { idParams, nameSchema } from '../../../src/http/schemas.js';
import { allowedRows } from '../list-filter.js';
import { findOrder, insertOrder, listOrders, type Order, orderColumns } from '../store/orders.js';

const tags = ['demo'];

const orderView = (order: Order) => ({
  id: order.id,
  ownerId: order.ownerId,
  item: order.item,
  total: order.total,
  createdAt: new Date(order.createdAt).toISOString(),
});

export const orderRoutes = [
  defineRoute({
    method: 'GET',
    url: '/demo/orders',
    access: 'authenticated',
    summary: "The caller's orders",
    tags,
    handler: async (ctx) => ({
      orders: (
        await listOrders(ctx.core.store.db, allowedRows(ctx, 'orders:read', 'orders', orderColumns))
      ).map(orderView),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/demo/orders',
    access: requirePermission('orders:create'),
    summary: 'Place an order',
    tags,
    successStatus: 201,
    body: z.strictObject({
      item: nameSchema(200).trim().min(1),
      total: z.number().int().min(0).max(100_000_000),
    }),
    handler: async (ctx) => {
      const order = await insertOrder(ctx.core.store.db, {
        ...ctx.body,
        ownerId: ctx.principal.userId,
        now: ctx.core.clock.now(),
      });
      return { order: orderView(order) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/demo/orders/:id',
    access: 'authenticated',
    summary: 'Read one of your orders',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { value } = await requireAccess(ctx, 'orders:read', () =>
        findOrder(ctx.core.store.db, ctx.params.id),
      );
      return { order: orderView(value) };
    },
  }),
];
