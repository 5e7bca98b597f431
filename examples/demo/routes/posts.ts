/** CMS posts: admin does everything, editors create and update (Bob only Sports), viewers read. */
import { z } from 'zod';
import { AuthError } from '../../../src/errors.js';
import { decideFor, requireAccess, requirePermission } from '../../../src/http/access.js';
import { defineRoute } from '../../../src/http/route.js';
import { idParams, nameSchema, textSchema } from '../../../src/http/schemas.js';
import { allowedRows } from '../list-filter.js';
import {
  deletePost,
  findPost,
  insertPost,
  listPosts,
  type Post,
  postColumns,
  postResource,
  updatePost,
} from '../store/posts.js';

const tags = ['demo'];
const title = nameSchema(200).trim().min(1);
const body = textSchema(20_000);
const category = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9-]{0,39}$/);

const postView = (post: Post) => ({
  id: post.id,
  ownerId: post.ownerId,
  title: post.title,
  body: post.body,
  category: post.category,
  createdAt: new Date(post.createdAt).toISOString(),
  updatedAt: new Date(post.updatedAt).toISOString(),
});

export const postRoutes = [
  defineRoute({
    method: 'GET',
    url: '/demo/posts',
    access: requirePermission('posts:read'),
    summary: 'Posts the caller may read',
    tags,
    handler: async (ctx) => ({
      posts: (
        await listPosts(ctx.core.store.db, allowedRows(ctx, 'posts:read', 'posts', postColumns))
      ).map(postView),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/demo/posts',
    access: requirePermission('posts:create'),
    summary: 'Create a post',
    tags,
    successStatus: 201,
    body: z.strictObject({ title, body, category }),
    handler: async (ctx) => {
      const draft = { id: '', ownerId: ctx.principal.userId, category: ctx.body.category };
      if (!decideFor(ctx, 'posts:create', postResource(draft)).allowed) {
        throw new AuthError('forbidden', 'Not allowed to create a post in this category.');
      }
      const post = await insertPost(ctx.core.store.db, {
        ...ctx.body,
        ownerId: ctx.principal.userId,
        now: ctx.core.clock.now(),
      });
      return { post: postView(post) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/demo/posts/:id',
    access: 'authenticated',
    summary: 'Read a post',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { value } = await requireAccess(ctx, 'posts:read', () =>
        findPost(ctx.core.store.db, ctx.params.id),
      );
      return { post: postView(value) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    url: '/demo/posts/:id',
    access: 'authenticated',
    summary: 'Update a post (the result must be allowed too: no moving a post out of reach)',
    tags,
    params: idParams,
    body: z.strictObject({
      title: title.optional(),
      body: body.optional(),
      category: category.optional(),
    }),
    handler: async (ctx) => {
      const { value } = await requireAccess(ctx, 'posts:update', () =>
        findPost(ctx.core.store.db, ctx.params.id),
      );
      const next: Post = { ...value, ...ctx.body };
      if (!decideFor(ctx, 'posts:update', postResource(next)).allowed) {
        throw new AuthError('forbidden', 'Not allowed to move this post to that category.');
      }
      return { post: postView(await updatePost(ctx.core.store.db, next, ctx.core.clock.now())) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/demo/posts/:id',
    access: 'authenticated',
    summary: 'Delete a post',
    tags,
    params: idParams,
    successStatus: 204,
    handler: async (ctx) => {
      await requireAccess(ctx, 'posts:delete', () => findPost(ctx.core.store.db, ctx.params.id));
      await deletePost(ctx.core.store.db, ctx.params.id);
      return undefined;
    },
  }),
];
