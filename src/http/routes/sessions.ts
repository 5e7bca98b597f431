import { z } from 'zod';
import { audit } from '../../authn/audit.js';
import { revokeAllSessions, revokeSessionById } from '../../authn/sessions.js';
import { AuthError } from '../../errors.js';
import { pageLiveSessions } from '../../store/repositories/sessions.js';
import { cursorParam, limitParam, nextCursor } from '../cursor.js';
import { defineRoute } from '../route.js';
import { idParams } from '../schemas.js';

const tags = ['sessions'];
const iso = (ms: number) => new Date(ms).toISOString();

export const sessionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/auth/sessions',
    access: 'account',
    summary:
      "The caller's live sessions, newest first, the current one marked; `next` is the cursor for `after=`",
    tags,
    query: z.strictObject({
      limit: limitParam(100, 50),
      after: cursorParam('text').optional(),
    }),
    handler: async ({ core, principal, query }) => {
      const page = await pageLiveSessions(core.store.db, principal.userId, core.clock.now(), {
        limit: query.limit,
        from: query.after,
      });
      return {
        sessions: page.items.map((s) => ({
          id: s.id,
          current: s.id === principal.sessionId,
          createdAt: iso(s.createdAt),
          lastSeenAt: iso(s.lastSeenAt),
          idleExpiresAt: iso(s.idleExpiresAt),
          absoluteExpiresAt: iso(s.absoluteExpiresAt),
          ip: s.ip,
          userAgent: s.userAgent,
        })),
        next: nextCursor(page),
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/auth/sessions/:id',
    access: 'account',
    summary: "Revoke one of the caller's own sessions (another user's id is a 404)",
    tags,
    params: idParams,
    handler: async ({ core, principal, params, meta }) => {
      const revoked = await revokeSessionById(core, principal.userId, params.id, 'user_revoked');
      if (!revoked) throw new AuthError('not_found', 'No such session.');
      await audit(
        core,
        {
          type: 'session_revoked',
          outcome: 'success',
          userId: principal.userId,
          detail: { sessionId: params.id },
        },
        meta,
      );
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/sessions/revoke-others',
    access: 'account',
    summary: 'End every session of the caller except the current one',
    tags,
    handler: async ({ core, principal, meta }) => {
      const ids = await revokeAllSessions(core, principal.userId, 'user_revoked_others', {
        keepSessionId: principal.sessionId,
      });
      await audit(
        core,
        {
          type: 'session_revoked',
          outcome: 'success',
          userId: principal.userId,
          detail: { count: ids.length },
        },
        meta,
      );
      return { revoked: ids.length };
    },
  }),
];
