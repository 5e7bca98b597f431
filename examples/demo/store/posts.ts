/** Repository of the CMS posts of the demo. */
import { randomUUID } from 'node:crypto';
import type { Expression, SqlBool } from 'kysely';
import type { ResourceInput } from '../../../src/authz/resource.js';
import type { Guarded } from '../../../src/http/access.js';
import type { Db } from '../../../src/store/schema.js';
import { demo, type PostsTable } from './schema.js';

export interface Post {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  category: string;
  createdAt: number;
  updatedAt: number;
}

/** Resource attributes → columns, for list filtering. */
export const postColumns = {
  id: 'posts.id',
  ownerId: 'posts.owner_id',
  category: 'posts.category',
};

const toPost = (row: PostsTable): Post => ({
  id: row.id,
  ownerId: row.owner_id,
  title: row.title,
  body: row.body,
  category: row.category,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const postResource = (post: Pick<Post, 'id' | 'ownerId' | 'category'>): ResourceInput => ({
  type: 'posts',
  id: post.id,
  ownerId: post.ownerId,
  attributes: { category: post.category },
});

export async function findPost(db: Db, id: string): Promise<Guarded<Post> | null> {
  const row = await demo(db)
    .selectFrom('posts')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return null;
  const post = toPost(row);
  return { value: post, resource: postResource(post) };
}

export async function listPosts(db: Db, where: Expression<SqlBool>): Promise<Post[]> {
  const rows = await demo(db)
    .selectFrom('posts')
    .selectAll()
    .where(where)
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
  return rows.map(toPost);
}

export async function insertPost(
  db: Db,
  input: { ownerId: string; title: string; body: string; category: string; now: number },
): Promise<Post> {
  const row: PostsTable = {
    id: randomUUID(),
    owner_id: input.ownerId,
    title: input.title,
    body: input.body,
    category: input.category,
    created_at: input.now,
    updated_at: input.now,
  };
  await demo(db).insertInto('posts').values(row).execute();
  return toPost(row);
}

export async function updatePost(db: Db, post: Post, now: number): Promise<Post> {
  await demo(db)
    .updateTable('posts')
    .set({ title: post.title, body: post.body, category: post.category, updated_at: now })
    .where('id', '=', post.id)
    .execute();
  return { ...post, updatedAt: now };
}

export async function deletePost(db: Db, id: string): Promise<void> {
  await demo(db).deleteFrom('posts').where('id', '=', id).execute();
}
