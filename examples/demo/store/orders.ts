/** Repository of the demo's orders: each belongs to the user who placed it. */
import { randomUUID } from 'node:crypto';
import type { Expression, SqlBool } from 'kysely';
import type { Guarded } from '../../../src/http/access.js';
import type { Db } from '../../../src/store/schema.js';
import { demo, type OrdersTable } from './schema.js';

export interface Order {
  id: string;
  ownerId: string;
  item: string;
  /** In cents. */
  total: number;
  createdAt: number;
}

export const orderColumns = { id: 'orders.id', ownerId: 'orders.owner_id', total: 'orders.total' };

const toOrder = (row: OrdersTable): Order => ({
  id: row.id,
  ownerId: row.owner_id,
  item: row.item,
  total: row.total,
  createdAt: row.created_at,
});

export async function findOrder(db: Db, id: string): Promise<Guarded<Order> | null> {
  const row = await demo(db)
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return null;
  const order = toOrder(row);
  return {
    value: order,
    resource: {
      type: 'orders',
      id: order.id,
      ownerId: order.ownerId,
      attributes: { total: order.total },
    },
  };
}

export async function listOrders(db: Db, where: Expression<SqlBool>): Promise<Order[]> {
  const rows = await demo(db)
    .selectFrom('orders')
    .selectAll()
    .where(where)
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
  return rows.map(toOrder);
}

export async function insertOrder(
  db: Db,
  input: { ownerId: string; item: string; total: number; now: number },
): Promise<Order> {
  const row: OrdersTable = {
    id: randomUUID(),
    owner_id: input.ownerId,
    item: input.item,
    total: input.total,
    created_at: input.now,
  };
  await demo(db).insertInto('orders').values(row).execute();
  return toOrder(row);
}
