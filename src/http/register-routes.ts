import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireStepUp, type StepUpDemand } from '../authn/step-up.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import { authenticateRequest } from './authenticate.js';
import { enforceAccess, enforceCsrf } from './guard.js';
import { requestMeta } from './request-meta.js';
import type { Access, AnyRoute } from './route.js';
import { parseInput } from './validate.js';

const isAccess = (value: unknown): value is Access =>
  value === 'public' ||
  value === 'authenticated' ||
  value === 'account' ||
  value === 'session' ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as { permission?: unknown }).permission === 'string');

/** A route's step-up demand: its `stepUp`, or the one its permission access names. */
const stepUpOf = (route: AnyRoute): StepUpDemand => {
  const access = route.access as Access;
  if (typeof access !== 'object') return route.stepUp ?? {};
  return {
    maxAgeSeconds: access.recentAuthSeconds ?? route.stepUp?.maxAgeSeconds,
    acr: access.acr ?? route.stepUp?.acr,
    recentLogin: route.stepUp?.recentLogin,
  };
};

/**
 * A session limited to enrolling a second factor reaches the routes marked
 * `duringEnrollment`, and the public ones (anyone may call them: signing in
 * again, refreshing its own restricted token); every other route answers 403
 * before anything is decided on its permission or login.
 */
function enforceRestriction(route: AnyRoute, principal: Principal | null): void {
  if (principal?.restriction !== 'mfa_enrollment') return;
  if (route.access === 'public' || route.duringEnrollment) return;
  throw new AuthError(
    'mfa_enrollment_required',
    'Your role requires a second factor: enrol one (TOTP or a passkey) first.',
  );
}

/** The caller each request was authenticated as, from its onRequest hook to its handler. */
const principals = new WeakMap<FastifyRequest, Principal | null>();

/**
 * Mounts routes behind one pipeline: authenticate → CSRF → authorize →
 * validate → handle. The first three run in onRequest, before the body is
 * read, so an anonymous caller gets 401 without making us parse anything. A
 * route without a valid `access` is a programming error that stops the server
 * from starting.
 */
export function registerRoutes(
  app: FastifyInstance,
  core: Core,
  routes: readonly AnyRoute[],
): void {
  for (const route of routes) {
    if (!isAccess(route.access)) {
      throw new TypeError(
        `route ${route.method} ${route.url} declares no access (public, authenticated, account, session or a permission)`,
      );
    }
    app.route({
      method: route.method,
      url: route.url,
      onRequest: async (request) => {
        const principal = await authenticateRequest(core, request);
        enforceCsrf(core, request, principal);
        enforceRestriction(route, principal);
        enforceAccess(route.access, principal, core, requestMeta(request));
        if (principal) requireStepUp(core, principal, stepUpOf(route));
        principals.set(request, principal);
      },
      handler: async (request, reply) => {
        const principal = principals.get(request) ?? null;
        const result = await route.handler({
          core,
          request,
          reply,
          meta: requestMeta(request),
          principal,
          body: route.body ? parseInput(route.body, request.body, 'body') : undefined,
          params: route.params ? parseInput(route.params, request.params, 'params') : undefined,
          query: route.query ? parseInput(route.query, request.query, 'query') : undefined,
        });
        if (reply.sent) return reply;
        if (result === undefined) return reply.code(204).send();
        if (reply.statusCode === 200 && route.successStatus) reply.code(route.successStatus);
        return reply.send(result);
      },
    });
  }
}
