import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RequestMeta } from '../authn/meta.js';
import type { StepUpDemand } from '../authn/step-up.js';
import type { Core } from '../core.js';
import type { ErrorCode } from '../errors.js';
import type { Acr, Principal } from '../principal.js';

/**
 * Who may call a route. Every route must say; the server refuses to start on
 * one that does not (see register-routes.ts).
 * - `authenticated`: any valid credential.
 * - `account`: a signed-in user (session cookie or its access token), never an
 *   API key or Basic: a leaked key must not mint keys, end sessions or change
 *   the password.
 * - `session`: the browser session cookie only: for minting long-lived
 *   credentials, so a leaked bearer token (access JWT or key) cannot mint one.
 */
export type Access =
  | 'public'
  | 'authenticated'
  | 'account'
  | 'session'
  | {
      permission: string;
      /** The caller must have signed in within this many seconds (step-up, RFC 9470). */
      recentAuthSeconds?: number;
      /** The caller's sign-in must reach this level. */
      acr?: Acr;
    };

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.output<S> : undefined;
/** What a handler returns: the declared response's shape (so the compiler holds it to the document), else anything. */
type Returns<S> = S extends Schema ? z.input<S> : unknown;

export interface RouteContext<A extends Access, B, P, Q> {
  core: Core;
  request: FastifyRequest;
  reply: FastifyReply;
  meta: RequestMeta;
  body: B;
  params: P;
  query: Q;
  /** Present on every non-public route; on public ones only when a credential was sent. */
  principal: A extends 'public' ? Principal | null : Principal;
}

export interface RouteDefinition<
  A extends Access = Access,
  BS extends Schema | undefined = Schema | undefined,
  PS extends Schema | undefined = Schema | undefined,
  QS extends Schema | undefined = Schema | undefined,
  RS extends Schema | undefined = Schema | undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  access: A;
  summary: string;
  tags?: string[];
  body?: BS;
  params?: PS;
  query?: QS;
  /**
   * What the action demands of the caller's login, on any non-public route
   * (a permission route may say it in `access` instead): a caller whose
   * login is older or weaker gets 401 `step_up_required`.
   */
  stepUp?: StepUpDemand;
  /**
   * Open to a session limited to enrolling a second factor
   * (`mfa.requiredForRoles`): the enrolment routes, sign-out and /auth/me.
   * Every other route refuses such a session with 403 `mfa_enrollment_required`.
   */
  duringEnrollment?: true;
  /** Status of a successful answer, for OpenAPI (default 200; a handler that returns nothing answers 204: say so). */
  successStatus?: number;
  /**
   * The JSON body of a successful answer. OpenAPI describes it, and the
   * handler must return its shape (a type error otherwise). Optional: a route
   * without one is documented with its status and problems only.
   */
  response?: RS;
  /**
   * Problem codes the handler itself may answer (409 `conflict`, 429
   * `rate_limited`, …), for OpenAPI; those the pipeline answers (bad input,
   * no or the wrong credential, CSRF, an unknown id, an outage) are derived
   * from the route's declaration (see openapi/problems.ts).
   */
  problems?: readonly ErrorCode[];
  handler(ctx: RouteContext<A, Infer<BS>, Infer<PS>, Infer<QS>>): Promise<NoInfer<Returns<RS>>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry erases each route's generic parameters.
export type AnyRoute = RouteDefinition<any, any, any, any, any>;

/** Identity function that lets TypeScript infer the body, params and query types. */
export const defineRoute = <
  A extends Access,
  BS extends Schema | undefined = undefined,
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  RS extends Schema | undefined = undefined,
>(
  route: RouteDefinition<A, BS, PS, QS, RS>,
): RouteDefinition<A, BS, PS, QS, RS> => route;
