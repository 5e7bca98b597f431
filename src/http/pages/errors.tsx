import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core.js';
import {
  type AuthError,
  isAuthError,
  RateLimitedError,
  StepUpRequiredError,
  UnavailableError,
} from '../../errors.js';
import type { Principal } from '../../principal.js';
import { problemCatalog } from '../problem.js';
import type { PageAssets } from './assets.js';
import { buildShell } from './build-shell.js';
import { sendPage, sendRedirect } from './render.js';
import { safeReturnTo, withReturnTo } from './return-to.js';
import { strings } from './strings/index.js';

/** The page to come back to after signing in again: this one, when it can be opened again (a GET). */
const comeBackTo = (request: FastifyRequest): string | undefined => {
  if (request.method === 'GET') return safeReturnTo(request.url);
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.host === request.headers.host
      ? safeReturnTo(`${url.pathname}${url.search}`)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Where an error of who-you-are sends the browser, instead of an error page. */
function redirectFor(error: AuthError, request: FastifyRequest): string | null {
  if (error.code === 'unauthenticated') return withReturnTo('/login', comeBackTo(request));
  if (error instanceof StepUpRequiredError)
    return withReturnTo('/reauthenticate', comeBackTo(request));
  if (error.code === 'mfa_enrollment_required') return '/account/security';
  return null;
}

function ErrorView(props: { status: number; message: string; reference?: string }) {
  const t = strings.errors;
  return (
    <section class="card narrow">
      <h1>{t.title(props.status)}</h1>
      <p>{props.message}</p>
      {props.reference ? <p class="muted">{t.reference(props.reference)}</p> : null}
      <p>
        <a href="/">{t.home}</a>
      </p>
    </section>
  );
}

export interface PageErrorDeps {
  core: Core;
  assets: PageAssets;
  principalOf(request: FastifyRequest): Principal | null;
}

/** Renders an error as a page: a friendly message, and for our own faults a reference to find the log line. */
export async function sendErrorPage(
  deps: PageErrorDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  reference?: string,
): Promise<FastifyReply> {
  const principal = deps.principalOf(request);
  const shell = await buildShell(deps.core, request, reply, principal, deps.assets).catch(() =>
    buildShell(deps.core, request, reply, null, deps.assets),
  );
  return sendPage(reply, shell, {
    title: strings.errors.title(status),
    body: <ErrorView status={status} message={message} reference={reference} />,
    status,
  });
}

const t = strings.errors;

/** The pages' error handler: what the API answers as problem+json, a person sees as a page or a redirect. */
export function pageErrorHandler(deps: PageErrorDeps) {
  return async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isAuthError(error)) {
      const to = redirectFor(error, request);
      if (to) return sendRedirect(reply, to);
      if (error instanceof RateLimitedError || error instanceof UnavailableError)
        reply.header('retry-after', String(error.retryAfterSeconds));
      const { status } = problemCatalog[error.code];
      if (error instanceof UnavailableError) {
        const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
        request.log.warn({ dependency: error.dependency, reason }, 'dependency unavailable');
      }
      if (status === 500) return internal(deps, error, request, reply);
      const message =
        error.code === 'csrf_failed' ? t.formExpired : (t.byCode[error.code] ?? error.message);
      return sendErrorPage(deps, request, reply, status, message);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : 'invalid_request';
      return sendErrorPage(deps, request, reply, status, t.byCode[code] ?? t.internal);
    }
    return internal(deps, error, request, reply);
  };
}

function internal(deps: PageErrorDeps, error: Error, request: FastifyRequest, reply: FastifyReply) {
  // The request's id: the same as on its log lines and in its x-request-id header.
  const reference = request.id;
  request.log.error({ err: error, reference }, 'unhandled error on a page');
  return sendErrorPage(deps, request, reply, 500, t.internal, reference);
}
