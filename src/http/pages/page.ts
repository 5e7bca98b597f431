import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import type { z } from 'zod';
import type { RequestMeta } from '../../authn/meta.js';
import type { StepUpDemand } from '../../authn/step-up.js';
import type { Core } from '../../core.js';
import type { Principal } from '../../principal.js';
import type { Shell } from './shell.js';

/**
 * Who may open a page. Pages read only the session cookie: a bearer token or
 * API key opens no page. Someone not signed in is sent to /login (and back).
 */
export type PageAccess = 'public' | 'account' | { permission: string };

/** What a handler answers: a view inside the layout, or a redirect (after a post, always 303). */
export type PageResult =
  | { kind: 'view'; title: string; body: Child; status: number }
  | { kind: 'redirect'; to: string };

export const view = (title: string, body: Child, status = 200): PageResult => ({
  kind: 'view',
  title,
  body,
  status,
});

/** `to` must be a path on this site (use safeReturnTo for anything a user supplied). */
export const redirect = (to: string): PageResult => ({ kind: 'redirect', to });

/** A posted form: its fields as sent (to refill the form), and the parsed data or each field's error. */
export type FormState<T> =
  | { ok: true; data: T; raw: Record<string, string> }
  | { ok: false; errors: Record<string, string>; raw: Record<string, string> };

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.output<S> : undefined;

export interface PageContext<A extends PageAccess, F, P, Q> {
  core: Core;
  request: FastifyRequest;
  reply: FastifyReply;
  meta: RequestMeta;
  /** Signed in on every page that is not public; on public ones only when a session cookie came along. */
  principal: A extends 'public' ? Principal | null : Principal;
  /** The words, the nonce, the CSRF token, the signed-in user: what every view needs. */
  shell: Shell;
  form: F extends undefined ? undefined : FormState<F>;
  params: P;
  query: Q;
}

export interface PageDefinition<
  A extends PageAccess = PageAccess,
  FS extends Schema | undefined = Schema | undefined,
  PS extends Schema | undefined = Schema | undefined,
  QS extends Schema | undefined = Schema | undefined,
> {
  method: 'GET' | 'POST';
  url: string;
  access: A;
  /** The fields of a POST (without the CSRF field, which every post must carry). */
  form?: FS;
  params?: PS;
  /** An invalid query is not a user's typo but a bad link: it answers the 400 page. */
  query?: QS;
  /** As for API routes: an older or weaker login is sent to /reauthenticate first. */
  stepUp?: StepUpDemand;
  /** Open to a session that must first enrol a second factor (the security page, sign-out). */
  duringEnrollment?: true;
  /**
   * A POST another site sends on purpose (a SAML IdP's form to the ACS, an
   * OpenID provider's `form_post` answer): it carries no form token and skips
   * the same-origin check; what it carries (a signed response, a single-use
   * state bound to this browser) is its own defence against forgery.
   */
  crossSitePost?: true;
  handler(ctx: PageContext<A, Infer<FS>, Infer<PS>, Infer<QS>>): Promise<PageResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry erases each page's generic parameters.
export type AnyPage = PageDefinition<any, any, any, any>;

/** Identity function that lets TypeScript infer the form, params and query types. */
export const definePage = <
  A extends PageAccess,
  FS extends Schema | undefined = undefined,
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
>(
  page: PageDefinition<A, FS, PS, QS>,
): PageDefinition<A, FS, PS, QS> => page;
