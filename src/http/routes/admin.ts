import { z } from 'zod';
import { banUser, listAuditEvents, listUsers, replaceRoles, unbanUser } from '../../authn/admin.js';
import { requireOn } from '../access.js';
import { cursorParam, limitParam, nextCursor } from '../cursor.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema, textSchema, userView } from '../schemas.js';

const tags = ['admin'];
const manage = { permission: 'users:manage' } as const;
// Keyset pages, not offsets: a deep offset sorts and skips the whole table on every request.
const usersPage = z.strictObject({
  limit: limitParam(500, 100),
  after: cursorParam('text').optional(),
});

export const adminRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/users',
    access: manage,
    summary: 'List users in creation order; `next` is the cursor for `after=`',
    tags,
    query: usersPage,
    handler: async ({ core, query }) => {
      const page = await listUsers(core, { limit: query.limit, from: query.after });
      return { users: page.items.map(userView), next: nextCursor(page) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/ban',
    access: manage,
    summary: 'Ban a user and revoke every session at once',
    tags,
    params: idParams,
    body: z.strictObject({ reason: textSchema(500).optional() }).optional(),
    handler: async (ctx) => {
      const { core, params, body, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      return {
        user: userView(
          await banUser(core, params.id, { actorId: principal.userId, reason: body?.reason }, meta),
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/unban',
    access: manage,
    summary: 'Lift a ban',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      return {
        user: userView(await unbanUser(core, params.id, { actorId: principal.userId }, meta)),
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/admin/users/:id/roles',
    access: manage,
    summary: "Replace a user's roles",
    tags,
    params: idParams,
    body: z.strictObject({ roles: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/)).max(50) }),
    handler: async (ctx) => {
      const { core, params, body, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      const by = { actorId: principal.userId };
      return { user: userView(await replaceRoles(core, params.id, body.roles, by, meta)) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/audit',
    access: { permission: 'audit:read' },
    summary: 'Audit events, newest first; `next` is the cursor for `before=`',
    tags,
    query: z.strictObject({
      limit: limitParam(500, 100),
      userId: nameSchema(64).optional(),
      type: nameSchema(64).optional(),
      before: cursorParam('numeric').optional(),
    }),
    handler: async ({ core, query }) => {
      const { limit, before, ...filter } = query;
      const page = await listAuditEvents(core, filter, { limit, from: before });
      return {
        events: page.items.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        next: nextCursor(page),
      };
    },
  }),
];
