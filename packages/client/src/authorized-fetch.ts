import type { ResolvedOptions } from './options.js';
import { problemCodeOf } from './problem.js';
import type { ClientState } from './state.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthorizedFetchDeps {
  options: ResolvedOptions;
  state: ClientState;
  /** Cookie mode: the session's CSRF token read again from Gatehouse (undefined: no session). */
  reloadCsrfToken(): Promise<string | undefined>;
  /** Token mode: resolves once no refresh is in flight, so no request goes out with a token about to be replaced. */
  refreshSettled(): Promise<void>;
  /**
   * Token mode: after `failed` was refused, a newer access token (refreshed now,
   * or already by a concurrent caller); false when none can be had.
   */
  refreshAfter(failed: string): Promise<boolean>;
}

/** `bearer: false`: token mode sends no access token and never refreshes (sign-in, the refresh itself). */
export interface SendPolicy {
  bearer: boolean;
}

interface Attempt {
  request: Request;
  accessToken: string | undefined;
  csrfToken: string | undefined;
}

/**
 * A 401 that a new access token can cure: the server did not take the
 * credential (`unauthenticated` from Gatehouse, `invalid_token` from a resource
 * server). Not a wrong password or code, and not `step_up_required`, which asks
 * for a newer login, not a newer token.
 */
async function credentialRefused(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (/error="insufficient_user_authentication"/.test(challenge)) return false;
  if (/error="invalid_token"/.test(challenge)) return true;
  const code = await problemCodeOf(response);
  return code === 'unauthenticated' || code === 'invalid_token';
}

async function csrfRefused(response: Response): Promise<boolean> {
  return response.status === 403 && (await problemCodeOf(response)) === 'csrf_failed';
}

/**
 * `fetch` with the mode's credentials for Gatehouse and the configured API
 * origins, and at most one retry: after a refresh (token mode, a refused access
 * token) or after reading the CSRF token again (cookie mode, `csrf_failed`: a
 * page that had none yet, or a session renewed meanwhile). Other origins get the
 * request untouched.
 */
export function createAuthorizedFetch(deps: AuthorizedFetchDeps) {
  const { options, state } = deps;
  const cookieMode = options.mode === 'cookie';

  async function prepare(request: Request, policy: SendPolicy): Promise<Attempt> {
    const headers = new Headers(request.headers);
    if (cookieMode) {
      const csrfToken = SAFE_METHODS.has(request.method) ? undefined : state.csrfToken;
      if (csrfToken) headers.set('x-csrf-token', csrfToken);
      const prepared = new Request(request, { headers, credentials: 'include' });
      return { request: prepared, accessToken: undefined, csrfToken };
    }
    if (!policy.bearer || headers.has('authorization')) {
      return { request, accessToken: undefined, csrfToken: undefined };
    }
    await deps.refreshSettled();
    const accessToken = state.accessToken;
    if (accessToken) headers.set('authorization', `Bearer ${accessToken}`);
    return { request: new Request(request, { headers }), accessToken, csrfToken: undefined };
  }

  async function worthRetrying(response: Response, sent: Attempt): Promise<boolean> {
    if (cookieMode) {
      if (SAFE_METHODS.has(sent.request.method) || !(await csrfRefused(response))) return false;
      const reloaded = await deps.reloadCsrfToken();
      return reloaded !== undefined && reloaded !== sent.csrfToken;
    }
    if (sent.accessToken === undefined || !(await credentialRefused(response))) return false;
    return deps.refreshAfter(sent.accessToken);
  }

  return async function authorizedFetch(
    input: RequestInfo | URL,
    init?: RequestInit,
    policy: SendPolicy = { bearer: true },
  ): Promise<Response> {
    const original = new Request(input, init);
    if (!options.apiOrigins.has(new URL(original.url).origin)) return fetch(original);
    const first = await prepare(original.clone(), policy);
    const response = await fetch(first.request);
    if (!(await worthRetrying(response, first))) return response;
    await response.body?.cancel();
    const second = await prepare(original, policy);
    return fetch(second.request);
  };
}

export type AuthorizedFetch = ReturnType<typeof createAuthorizedFetch>;
