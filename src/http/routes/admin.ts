import { z } from 'zod';
import { banUser, replaceRoles, unbanUser } from '../../authn/user-admin.js';
import { listAuditEvents } from '../../store/repositories/audit-events.js';
import { listUsers } from '../../store/repositories/users.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema, textSchema, userView } from '../schemas.js';

const tags = ['admin'];
const manage = { permission: 'users:manage' } as const;
const page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const adminRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/users',
    access: manage,
    summary: 'List users',
    tags,
    query: page,
    handler: async ({ core, query }) => ({
      users: (await listUsers(core.store.db, query)).map(userView),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/ban',
    access: manage,
    summary: 'Ban a user and revoke every session at once',
    tags,
    params: idParams,
    body: z.strictObject({ reason: textSchema(500).optional() }).optional(),
    handler: async ({ core, params, body, principal, meta }) => ({
      user: userView(
        await banUser(core, params.id, { actorId: principal.userId, reason: body?.reason }, meta),
      ),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/unban',
    access: manage,
    summary: 'Lift a ban',
    tags,
    params: idParams,
    handler: async ({ core, params, principal, meta }) => ({
      user: userView(await unbanUser(core, params.id, { actorId: principal.userId }, meta)),
    }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/admin/users/:id/roles',
    access: manage,
    summary: "Replace a user's roles",
    tags,
    params: idParams,
    body: z.strictObject({ roles: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/)).max(50) }),
    handler: async ({ core, params, body, principal, meta }) => ({
      user: userView(
        await replaceRoles(core, params.id, body.roles, { actorId: principal.userId }, meta),
      ),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/audit',
    access: { permission: 'audit:read' },
    summary: 'Recent audit events, newest first',
    tags,
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      userId: nameSchema(64).optional(),
      type: nameSchema(64).optional(),
    }),
    handler: async ({ core, query }) => ({
      events: (await listAuditEvents(core.store.db, query)).map((e) => ({
        ...e,
        at: new Date(e.at).toISOString(),
      })),
    }),
  }),
];
