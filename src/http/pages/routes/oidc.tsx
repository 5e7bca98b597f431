import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { finishUpstream, startUpstream } from '../../../authn/federation/oidc-flow.js';
import type { Core } from '../../../core.js';
import { definePage, redirect } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { handOverToSecondStep } from '../sign-in/hand-over.js';
import { deliverPageFirstFactor } from '../sign-in-delivery.js';

/**
 * Sign-in with an upstream OpenID Connect / OAuth 2.0 provider: browser
 * redirects, so they live with the pages (errors render as pages); the
 * protocol is in src/authn/federation/.
 */

/**
 * Binds a started sign-in to this browser until its callback. SameSite=None:
 * a `form_post` provider's answer is a cross-site POST, and it must come back.
 */
const BINDING_COOKIE = '__Host-gh_oidc';

const setBinding = (core: Core, reply: FastifyReply, value: string) =>
  reply.setCookie(BINDING_COOKIE, value, {
    httpOnly: true,
    secure: true,
    sameSite: 'none',
    path: '/',
    maxAge: core.settings.oidc.loginLifetimeSeconds,
  });

const clearBinding = (reply: FastifyReply) =>
  reply.clearCookie(BINDING_COOKIE, { httpOnly: true, secure: true, sameSite: 'none', path: '/' });

/** The callback exactly as registered at the provider: publicUrl's, or this request's origin in development. */
export const callbackUrl = (core: Core, request: FastifyRequest, provider: string): string => {
  const base = (core.settings.publicUrl ?? `${request.protocol}://${request.host}`).replace(
    /\/+$/,
    '',
  );
  return `${base}/auth/oidc/${encodeURIComponent(provider)}/callback`;
};

const providerParams = z.object({ provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });
const startQuery = z.object({ return_to: z.string().max(2000).optional() });

/** What the provider sent: the query (GET) or the form (`form_post`), as text fields. */
function callbackParams(request: FastifyRequest): URLSearchParams {
  const source = request.method === 'POST' ? request.body : request.query;
  const params = new URLSearchParams();
  if (typeof source !== 'object' || source === null) return params;
  for (const [name, value] of Object.entries(source)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first.length <= 8192) params.set(name, first);
  }
  return params;
}

const callbackPage = (method: 'GET' | 'POST') =>
  definePage({
    method,
    url: '/auth/oidc/:provider/callback',
    access: 'public',
    params: providerParams,
    ...(method === 'POST' ? { crossSitePost: true as const } : {}),
    handler: async (ctx) => {
      const { core, request, reply, params, principal, meta } = ctx;
      const browserBinding = request.cookies[BINDING_COOKIE];
      clearBinding(reply);
      const outcome = await finishUpstream(
        core,
        params.provider,
        {
          redirectUri: callbackUrl(core, request, params.provider),
          params: callbackParams(request),
          browserBinding,
          signedInUserId: principal?.userId ?? null,
        },
        meta,
      );
      if (outcome.kind === 'linked')
        return redirect('/account/linked-accounts?notice=identity_linked');
      const result = await deliverPageFirstFactor(
        ctx,
        outcome.user,
        { amr: outcome.amr },
        safeReturnTo(outcome.returnTo),
      );
      return handOverToSecondStep(ctx.shell, reply, result);
    },
  });

export const oidcPages = [
  definePage({
    method: 'GET',
    url: '/auth/oidc/:provider/start',
    access: 'public',
    params: providerParams,
    query: startQuery,
    handler: async ({ core, request, reply, params, query }) => {
      const started = await startUpstream(core, params.provider, {
        redirectUri: callbackUrl(core, request, params.provider),
        returnTo: safeReturnTo(query.return_to),
        intent: 'sign_in',
      });
      setBinding(core, reply, started.browserBinding);
      // The provider's authorization URL, built from its configured endpoint: not user input.
      return redirect(started.url);
    },
  }),
  callbackPage('GET'),
  callbackPage('POST'),
];

export { BINDING_COOKIE, setBinding };
