import type { FastifyRequest } from 'fastify';
import type { Principal } from '../authn/principal.js';
import { resolveSessionToken } from '../authn/sessions.js';
import type { Core } from '../core.js';
import { SESSION_COOKIE } from './cookies.js';

/** Turns the request's credential into a principal; null when there is none or it is not valid. */
export async function authenticateRequest(
  core: Core,
  request: FastifyRequest,
): Promise<Principal | null> {
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    const resolved = await resolveSessionToken(core, cookie);
    if (resolved) {
      return {
        userId: resolved.user.id,
        roles: resolved.user.roles,
        attributes: resolved.user.attributes,
        via: 'session',
        sessionId: resolved.session.id,
      };
    }
  }
  return null;
}
