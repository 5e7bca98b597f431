import { z } from 'zod';
import { listUserSessions, revokeUserSession } from '../../authn/admin-sessions.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import type { Session } from '../../store/repositories/sessions.js';
import { requireOn } from '../access.js';
import { defineRoute } from '../route.js';
import { idParams, idSchema } from '../schemas.js';

const tags = ['admin'];
const manage = { permission: 'users:manage' } as const;
const iso = (ms: number) => new Date(ms).toISOString();

export const sessionView = (session: Session) => ({
  id: session.id,
  userAgent: session.userAgent,
  ip: session.ip,
  createdAt: iso(session.createdAt),
  lastSeenAt: iso(session.lastSeenAt),
  idleExpiresAt: iso(session.idleExpiresAt),
  absoluteExpiresAt: iso(session.absoluteExpiresAt),
  acr: session.acr,
  amr: session.amr,
});

/** A user's sessions for an admin; ending all of them is `POST /admin/users/:id/sessions/revoke`. */
export const adminSessionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/users/:id/sessions',
    access: manage,
    summary: "A user's live sessions, newest first (at most `session.maxPerUser`: one page)",
    tags,
    params: idParams,
    handler: async (ctx) => {
      requireOn(ctx, manage.permission, ctx.params.id);
      return { sessions: (await listUserSessions(ctx.core, ctx.params.id)).map(sessionView) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/admin/users/:id/sessions/:sessionId',
    access: manage,
    // Signs someone out, as revoking all of them does: the admin proves a recent sign-in.
    stepUp: RECENT_LOGIN,
    summary:
      "End one session of a user (its refresh tokens too; its access tokens through the revocation feed); another user's session is a 404",
    tags,
    params: z.strictObject({ id: idSchema, sessionId: idSchema }),
    successStatus: 204,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      await revokeUserSession(
        core,
        params.id,
        params.sessionId,
        { actorId: principal.userId },
        meta,
      );
      return undefined;
    },
  }),
];
