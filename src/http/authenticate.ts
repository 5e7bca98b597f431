import type { FastifyRequest } from 'fastify';
import { authenticate } from '../authn/authenticate.js';
import type { Core } from '../core.js';
import type { Principal } from '../principal.js';
import { SESSION_COOKIE } from './cookies.js';
import { isLoopbackAddress } from './loopback.js';
import { requestMeta } from './request-meta.js';

/** Gathers the request's credentials for the core's authenticate(); null when there is none or it is not valid. */
export function authenticateRequest(
  core: Core,
  request: FastifyRequest,
): Promise<Principal | null> {
  const apiKey = request.headers['x-api-key'];
  return authenticate(core, {
    authorization: request.headers.authorization,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    sessionCookie: request.cookies[SESSION_COOKIE],
    transport: { encrypted: request.protocol === 'https', loopback: isLoopbackAddress(request.ip) },
    meta: requestMeta(request),
  });
}
