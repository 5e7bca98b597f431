import { z } from 'zod';
import { endOtherSessions, endOwnSession, listOwnSessions } from '../../authn/sessions.js';
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
      const page = await listOwnSessions(core, principal, {
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
    successStatus: 204,
    handler: async ({ core, principal, params, meta }) => {
      await endOwnSession(core, principal, params.id, meta);
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/sessions/revoke-others',
    access: 'account',
    summary: 'End every session of the caller except the current one',
    tags,
    handler: async ({ core, principal, meta }) => ({
      revoked: await endOtherSessions(core, principal, meta),
    }),
  }),
];
