import { z } from 'zod';
import { sessionAuthentication } from '../../authn/sessions.js';
import { issueAccessToken } from '../../authn/tokens/issue-access-token.js';
import { redeemRefreshToken } from '../../authn/tokens/refresh-tokens.js';
import { AuthError } from '../../errors.js';
import { REFRESH_COOKIE, setRefreshCookie } from '../cookies.js';
import { defineRoute } from '../route.js';
import { tokenSchema } from '../schemas.js';

export const tokenRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/refresh',
    access: 'public',
    summary:
      'Trade a refresh token (cookie or body) for a new access token and a rotated refresh token',
    tags: ['tokens'],
    body: z.strictObject({ refreshToken: tokenSchema.optional() }).optional(),
    handler: async ({ core, body, request, reply, meta }) => {
      const fromBody = body?.refreshToken;
      const presented = fromBody ?? request.cookies[REFRESH_COOKIE];
      if (!presented) throw new AuthError('invalid_refresh_token', 'No refresh token was sent.');
      const { user, session, refreshToken } = await redeemRefreshToken(core, presented, meta);
      const access = await issueAccessToken(core, {
        userId: user.id,
        sessionId: session.id,
        roles: user.roles,
        rolesVersion: user.rolesVersion,
        auth: sessionAuthentication(session),
        restriction: session.restriction,
      });
      const maxAgeSeconds = Math.max(
        0,
        Math.floor((session.absoluteExpiresAt - core.clock.now()) / 1000),
      );
      // A token that came in the body goes back in the body; a cookie goes back as a cookie.
      if (fromBody) return { ...access, refreshToken };
      setRefreshCookie(reply, refreshToken, maxAgeSeconds);
      return access;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/.well-known/jwks.json',
    access: 'public',
    summary: 'Public keys that verify access tokens: the signing key and recently retired ones',
    tags: ['tokens'],
    handler: async ({ core, reply }) => {
      await core.keys.refreshIfStale();
      reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=60');
      return core.keys.jwks();
    },
  }),
];
