import { z } from 'zod';
import { banUser, listUsers, replaceRoles, unbanUser } from '../../authn/admin.js';
import { deleteUser } from '../../authn/admin-delete-user.js';
import { resetUserFactors, revokeUserSessions, userDetail } from '../../authn/admin-user.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import type { User } from '../../store/repositories/users.js';
import { requireOn } from '../access.js';
import { limitParam } from '../cursor.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema, textSchema, userView } from '../schemas.js';
import { decodeUserCursor, nextUserCursor } from '../user-cursor.js';
import { adminAuditRoutes } from './admin-audit.js';
import { adminPolicyRoutes } from './admin-policy.js';
import { adminSessionRoutes, sessionView } from './admin-sessions.js';

const tags = ['admin'];
const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
const manage = { permission: 'users:manage' } as const;

// Keyset pages, not offsets: a deep offset sorts and skips the whole table on every request.
const usersQuery = z
  .strictObject({
    limit: limitParam(500, 100),
    q: nameSchema(254, 0)
      .optional()
      .transform((q) => q?.trim() || undefined)
      .describe('Email prefix, any case (an index range: not a substring search)'),
    role: z.string().regex(ROLE_PATTERN).optional().describe('Only users holding this role'),
    banned: z
      .enum(['true', 'false'])
      .optional()
      .transform((banned) => (banned === undefined ? undefined : banned === 'true'))
      .describe('`true`: only banned users; `false`: only users not banned'),
    sort: z.enum(['created', 'email']).default('created'),
    order: z.enum(['asc', 'desc']).default('asc'),
    after: z.string().max(480).optional().describe('The `next` of the previous page'),
  })
  .transform((query, ctx) => {
    const { after, ...rest } = query;
    if (after === undefined) return { ...rest, from: undefined };
    const from = decodeUserCursor(after, query);
    if (from) return { ...rest, from };
    ctx.addIssue({
      code: 'custom',
      path: ['after'],
      message: 'not a cursor from this list (of this sort and order)',
    });
    return z.NEVER;
  });

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** What an admin sees of a user: the public view, and when and why they were banned. */
const adminUserView = (user: User) => ({
  ...userView(user),
  bannedAt: iso(user.bannedAt),
  bannedReason: user.bannedReason,
});

export const adminRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/users',
    access: manage,
    summary:
      'List users (creation order by default; `sort=email`, `order=desc`, `q=` an email prefix, `role=`, `banned=true|false`); `next` is the cursor for `after=`',
    tags,
    query: usersQuery,
    handler: async ({ core, query }) => {
      const { limit, from, q, role, banned, sort, order } = query;
      const filter = { sort, order, emailPrefix: q, role, banned };
      const page = await listUsers(core, filter, { limit, from });
      return { users: page.items.map(adminUserView), next: nextUserCursor({ sort, order }, page) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/users/:id',
    access: manage,
    summary: 'A user with their live sessions and second factors (never a secret)',
    tags,
    params: idParams,
    handler: async (ctx) => {
      requireOn(ctx, manage.permission, ctx.params.id);
      const { user, sessions, factors } = await userDetail(ctx.core, ctx.params.id);
      return {
        user: adminUserView(user),
        sessions: sessions.map(sessionView),
        factors: {
          factors: factors.factors.map((f) => ({
            ...f,
            createdAt: iso(f.createdAt),
            lastUsedAt: iso(f.lastUsedAt),
          })),
          recoveryCodesRemaining: factors.recoveryCodesRemaining,
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/ban',
    access: manage,
    stepUp: RECENT_LOGIN,
    summary: 'Ban a user and revoke every session at once',
    tags,
    params: idParams,
    body: z.strictObject({ reason: textSchema(500).optional() }).optional(),
    handler: async (ctx) => {
      const { core, params, body, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      return {
        user: adminUserView(
          await banUser(core, params.id, { actorId: principal.userId, reason: body?.reason }, meta),
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/unban',
    access: manage,
    stepUp: RECENT_LOGIN,
    summary: 'Lift a ban',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      return {
        user: adminUserView(await unbanUser(core, params.id, { actorId: principal.userId }, meta)),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/sessions/revoke',
    access: manage,
    // Signs someone out everywhere: the admin proves a recent sign-in, as for a factor change.
    stepUp: RECENT_LOGIN,
    summary:
      'End every session of a user (refresh tokens too; access tokens through the revocation feed)',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      const by = { actorId: principal.userId };
      return { revoked: await revokeUserSessions(core, params.id, by, meta) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/users/:id/factors/reset',
    access: manage,
    // Takes a factor off an account, which an account owner may only do after a recent sign-in too.
    stepUp: RECENT_LOGIN,
    summary:
      'Remove every second factor of a user (passkeys, app, recovery codes, phone), mailing them; 409 for an account without a password',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      const by = { actorId: principal.userId };
      return { removed: await resetUserFactors(core, params.id, by, meta) };
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/admin/users/:id/roles',
    access: manage,
    stepUp: RECENT_LOGIN,
    summary: "Replace a user's roles",
    tags,
    params: idParams,
    body: z.strictObject({ roles: z.array(z.string().regex(ROLE_PATTERN)).max(50) }),
    handler: async (ctx) => {
      const { core, params, body, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      const by = { actorId: principal.userId };
      return { user: adminUserView(await replaceRoles(core, params.id, body.roles, by, meta)) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/admin/users/:id',
    access: manage,
    stepUp: RECENT_LOGIN,
    summary:
      'Delete a user and everything of theirs in one transaction; every session, API key and token is revoked at once. 409 for yourself',
    tags,
    params: idParams,
    successStatus: 204,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      await deleteUser(core, params.id, { actorId: principal.userId }, meta);
      return undefined;
    },
  }),
  ...adminSessionRoutes,
  ...adminAuditRoutes,
  ...adminPolicyRoutes,
];
