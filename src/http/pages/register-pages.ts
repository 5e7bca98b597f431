import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { authenticate } from '../../authn/authenticate.js';
import { requireStepUp } from '../../authn/step-up.js';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import { SESSION_COOKIE } from '../cookies.js';
import { enforceAccess } from '../guard.js';
import { isLoopbackAddress } from '../loopback.js';
import { requestMeta } from '../request-meta.js';
import { textFault } from '../text-rules.js';
import { parseInput } from '../validate.js';
import type { PageAssets } from './assets.js';
import { buildShell } from './build-shell.js';
import { CSRF_FIELD, isGenuineForm } from './form-csrf.js';
import type { AnyPage, FormState } from './page.js';
import { sendPage, sendRedirect } from './render.js';

/** Pages know a person by the session cookie alone: headers (Bearer, API keys, Basic) open no page. */
export const authenticatePage = (core: Core, request: FastifyRequest): Promise<Principal | null> =>
  authenticate(core, {
    sessionCookie: request.cookies[SESSION_COOKIE],
    transport: { encrypted: request.protocol === 'https', loopback: isLoopbackAddress(request.ip) },
    meta: requestMeta(request),
  });

/** A form body as fields of text: a repeated field keeps its first value. */
function formFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && name !== CSRF_FIELD) fields[name] = first;
  }
  return fields;
}

function parseForm<T>(schema: z.ZodType<T>, raw: Record<string, string>): FormState<T> {
  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const fault = textFault(value, 'text');
    if (fault) errors[name] = fault;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, raw };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data, raw };
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, raw };
}

/** The query a page reads: `notice` belongs to the layout, not to the page. */
function pageQuery(request: FastifyRequest): Record<string, unknown> {
  const { notice: _notice, ...rest } = (request.query ?? {}) as Record<string, unknown>;
  return rest;
}

function enforceRestriction(page: AnyPage, principal: Principal | null): void {
  if (principal?.restriction !== 'mfa_enrollment') return;
  if (page.access === 'public' || page.duringEnrollment) return;
  throw new AuthError('mfa_enrollment_required', 'Enrol a second factor first.');
}

const principals = new WeakMap<FastifyRequest, Principal | null>();

export const principalOfPage = (request: FastifyRequest): Principal | null =>
  principals.get(request) ?? null;

/**
 * Mounts pages behind one pipeline: authenticate (cookie) → access → step-up,
 * before the body is read; then for a post the CSRF field; then the handler,
 * whose view is rendered in the layout or whose redirect is a 303.
 */
export function registerPages(
  app: FastifyInstance,
  core: Core,
  assets: PageAssets,
  pages: readonly AnyPage[],
): void {
  for (const page of pages) {
    app.route({
      method: page.method,
      url: page.url,
      config: { crossSitePost: page.crossSitePost === true },
      onRequest: async (request) => {
        const principal = await authenticatePage(core, request);
        principals.set(request, principal);
        enforceRestriction(page, principal);
        enforceAccess(page.access, principal, core, requestMeta(request));
        if (principal) requireStepUp(core, principal, page.stepUp ?? {});
      },
      preHandler: async (request) => {
        if (request.method !== 'POST' || page.crossSitePost) return;
        const presented = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
        const principal = principals.get(request) ?? null;
        const field = Array.isArray(presented) ? presented[0] : presented;
        if (!isGenuineForm(core, request, principal, field, page.access === 'public'))
          throw new AuthError('csrf_failed', 'The form is missing its token or it does not match.');
      },
      handler: async (request, reply) => {
        const principal = principals.get(request) ?? null;
        const shell = await buildShell(core, request, reply, principal, assets);
        const result = await page.handler({
          core,
          request,
          reply,
          meta: requestMeta(request),
          principal,
          shell,
          form: page.form ? parseForm(page.form, formFields(request.body)) : undefined,
          params: page.params ? parseInput(page.params, request.params, 'params') : undefined,
          query: page.query ? parseInput(page.query, pageQuery(request), 'query') : undefined,
        });
        if (reply.sent) return reply;
        if (result.kind === 'redirect') return sendRedirect(reply, result.to);
        return sendPage(reply, shell, result);
      },
    });
  }
}
