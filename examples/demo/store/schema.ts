import type { Kysely } from 'kysely';
import type { Database, Db } from '../../../src/store/schema.js';

/** Tables of the demo app (examples/demo): resources with an owner and their policy attributes. */
export interface PostsTable {
  id: string;
  owner_id: string;
  title: string;
  body: string;
  category: string;
  created_at: number;
  updated_at: number;
}

export interface DocumentsTable {
  id: string;
  owner_id: string;
  title: string;
  body: string;
  classification: string | null;
  required_clearance: number | null;
  created_at: number;
  updated_at: number;
}

export interface OrdersTable {
  id: string;
  owner_id: string;
  item: string;
  total: number;
  created_at: number;
}

type DemoTables = {
  posts: PostsTable;
  documents: DocumentsTable;
  orders: OrdersTable;
};

/** Gatehouse's tables (users, ACL grants) plus the demo's own, on the same connection or transaction. */
export const demo = (db: Db): Kysely<Database & DemoTables> => db.withTables<DemoTables>();
