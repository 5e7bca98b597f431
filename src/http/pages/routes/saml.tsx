import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  finishSamlLogin,
  samlServiceProviderMetadata,
  startSamlLogin,
} from '../../../authn/federation/saml.js';
import type { Core } from '../../../core.js';
import { definePage, type PageResult, view } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { handOverToSecondStep } from '../sign-in/hand-over.js';
import { deliverPageFirstFactor } from '../sign-in-delivery.js';

const connectionParams = z.object({ connection: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });

/** Where the IdP sends people back: the public URL, or (development, tests) this request's origin. */
const baseUrl = (core: Core, request: FastifyRequest): string =>
  core.settings.publicUrl ?? `${request.protocol}://${request.host}`;

/**
 * The AuthnRequest's ID, kept in the browser that started it: the IdP's answer
 * counts only there. SameSite=None, as the IdP's page posts it from its own site.
 */
const SAML_REQUEST_COOKIE = '__Host-gh_saml_request';
const requestCookie = (maxAgeSeconds: number): CookieSerializeOptions => ({
  httpOnly: true,
  secure: true,
  sameSite: 'none',
  path: '/',
  maxAge: maxAgeSeconds,
});

/** The reply is sent already (XML, a redirect to another site): the pipeline renders nothing more. */
const sent = (): PageResult => view('', null);

export const samlPages = [
  definePage({
    method: 'GET',
    url: '/auth/saml/:connection/metadata',
    access: 'public',
    params: connectionParams,
    handler: async ({ core, request, reply, params }) => {
      const xml = samlServiceProviderMetadata(core, params.connection, baseUrl(core, request));
      await reply.type('application/samlmetadata+xml; charset=utf-8').send(xml);
      return sent();
    },
  }),
  definePage({
    method: 'GET',
    url: '/auth/saml/:connection/start',
    access: 'public',
    params: connectionParams,
    query: z.object({ return_to: z.string().max(2000).optional() }),
    handler: async ({ core, request, reply, params, query }) => {
      const returnTo = safeReturnTo(query.return_to);
      const started = await startSamlLogin(
        core,
        params.connection,
        baseUrl(core, request),
        returnTo,
      );
      reply.setCookie(
        SAML_REQUEST_COOKIE,
        started.requestId,
        requestCookie(started.expiresInSeconds),
      );
      await reply.code(302).header('location', started.url).send();
      return sent();
    },
  }),
  definePage({
    method: 'POST',
    url: '/auth/saml/:connection/acs',
    access: 'public',
    params: connectionParams,
    crossSitePost: true,
    form: z.object({
      SAMLResponse: z.string().min(1).max(500_000),
      RelayState: z.string().max(2000).optional(),
    }),
    handler: async (ctx) => {
      const { core, request, params, form, meta } = ctx;
      const samlResponse = form.ok ? form.data.SAMLResponse : '';
      // RelayState is not signed: it may only name a path on this site.
      const returnTo = safeReturnTo(form.raw.RelayState);
      const browserRequestId = request.cookies[SAML_REQUEST_COOKIE];
      ctx.reply.clearCookie(SAML_REQUEST_COOKIE, requestCookie(0));
      const user = await finishSamlLogin(
        core,
        params.connection,
        baseUrl(core, request),
        samlResponse,
        browserRequestId,
        meta,
      );
      const result = await deliverPageFirstFactor(ctx, user, { amr: ['fed'] }, returnTo);
      return handOverToSecondStep(ctx.shell, ctx.reply, result);
    },
  }),
];
