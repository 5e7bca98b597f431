import { z } from 'zod';
import { banUser, listUsers, replaceRoles, unbanUser } from '../../authn/admin.js';
import { resetUserFactors, revokeUserSessions, userDetail } from '../../authn/admin-user.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import type { Session } from '../../store/repositories/sessions.js';
import { requireOn } from '../access.js';
import { limitParam } from '../cursor.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema, textSchema, userView } from '../schemas.js';
import { decodeUserCursor, nextUserCursor } from '../user-cursor.js';
import { adminAuditRoutes } from './admin-audit.js';
import { adminPolicyRoutes } from './admin-policy.js';

const tags = ['admin'];
const manage = { permission: 'users:manage' } as const;

// Keyset pages, not offsets: a deep offset sorts and skips the whole table on every request.
const usersQuery = z
  .strictObject({
    limit: limitParam(500, 100),
    q: nameSchema(254, 0)
      .optional()
      .transform((q) => q?.trim() || undefined)
      .describe('Email prefix, any case (an index range: not a substring search)'),
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

const sessionView = (session: Session) => ({
  id: session.id,
  userAgent: session.userAgent,
  ip: session.ip,
  createdAt: new Date(session.createdAt).toISOString(),
  lastSeenAt: new Date(session.lastSeenAt).toISOString(),
  acr: session.acr,
  amr: session.amr,
});

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export const adminRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/users',
    access: manage,
    summary:
      'List users (creation order by default; `sort=email`, `order=desc`, `q=` an email prefix); `next` is the cursor for `after=`',
    tags,
    query: usersQuery,
    handler: async ({ core, query }) => {
      const { limit, from, q, sort, order } = query;
      const page = await listUsers(core, { sort, order, emailPrefix: q }, { limit, from });
      return { users: page.items.map(userView), next: nextUserCursor({ sort, order }, page) };
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
        user: {
          ...userView(user),
          bannedAt: iso(user.bannedAt),
          bannedReason: user.bannedReason,
        },
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
    stepUp: RECENT_LOGIN,
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
    body: z.strictObject({ roles: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/)).max(50) }),
    handler: async (ctx) => {
      const { core, params, body, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      const by = { actorId: principal.userId };
      return { user: userView(await replaceRoles(core, params.id, body.roles, by, meta)) };
    },
  }),
  ...adminAuditRoutes,
  ...adminPolicyRoutes,
];
