import { acceptSignIn, accessTokenOf, type JsonObject, meOf, refreshTokenOf } from './answers.js';
import { type AuthorizedFetch, createAuthorizedFetch } from './authorized-fetch.js';
import { GatehouseError } from './errors.js';
import { apiUrl, type ClientMode, type ClientOptions, resolveOptions } from './options.js';
import { errorFrom, jsonObjectOf, networkError } from './problem.js';
import { singleFlight } from './single-flight.js';
import { emptyState, forget } from './state.js';
import type { AccessToken, Me, SecondFactorStep, SignedIn, SignInResult } from './types.js';

export interface ApiCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
}

export interface GatehouseClient {
  readonly mode: ClientMode;
  /** Step one with email and password: signed in, or `mfa_required` with the challenge for step two. */
  signIn(credentials: { email: string; password: string }): Promise<SignInResult>;
  /** Step two: a code (`totp`, `recovery_code`, `sms`) or a passkey's assertion for the challenge. */
  verifySecondFactor(step: SecondFactorStep): Promise<SignedIn>;
  /**
   * Any other first step that answers like `POST /auth/login` (a passkey, a magic
   * link's token): the client asks for the mode's refresh-token delivery and keeps the tokens.
   */
  signInWith(path: string, body: JsonObject): Promise<SignInResult>;
  /** Ends the session at Gatehouse, then forgets the tokens (also when it had already ended). */
  signOut(): Promise<void>;
  me(): Promise<Me>;
  /**
   * A new access token (token mode: and a rotated refresh token). Concurrent
   * calls share one request: a refresh token may be used once.
   */
  refresh(): Promise<AccessToken>;
  /** `fetch` with credentials for Gatehouse and `apiOrigins`; see README "Browser client". */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** A JSON call to Gatehouse's API through `fetch`; a failure is a `GatehouseError`. */
  api(path: string, call?: ApiCall): Promise<JsonObject>;
}

export function createClient(clientOptions: ClientOptions): GatehouseClient {
  const options = resolveOptions(clientOptions);
  const { mode } = options;
  const state = emptyState();
  const delivery = mode === 'token' ? { refreshTokenDelivery: 'body' } : {};

  /** Token mode keeps cookies out entirely: no session cookie is set or sent. */
  const jsonRequest = (path: string, call: ApiCall): [string, RequestInit] => [
    apiUrl(options, path),
    {
      method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
      credentials: mode === 'cookie' ? 'include' : 'omit',
      headers: call.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    },
  ];

  async function send(path: string, call: ApiCall, bearer: boolean): Promise<JsonObject> {
    let response: Response;
    try {
      response = await authorizedFetch(...jsonRequest(path, call), { bearer });
    } catch (error) {
      throw networkError(error);
    }
    if (!response.ok) throw await errorFrom(response);
    return jsonObjectOf(response);
  }

  const csrf = singleFlight(async (): Promise<string | undefined> => {
    try {
      const body = await send('/auth/csrf', {}, false);
      state.csrfToken = typeof body.csrfToken === 'string' ? body.csrfToken : undefined;
    } catch {
      state.csrfToken = undefined;
    }
    return state.csrfToken;
  });

  const refresher = singleFlight(async (): Promise<AccessToken> => {
    const { refreshToken, epoch } = state;
    if (mode === 'token' && !refreshToken) {
      throw new GatehouseError('invalid_refresh_token', { status: 401, detail: 'Not signed in' });
    }
    const current = () => state.epoch === epoch;
    try {
      const body = await send(
        '/auth/refresh',
        mode === 'token' ? { body: { refreshToken } } : { method: 'POST' },
        false,
      );
      const access = accessTokenOf(body);
      if (current()) {
        state.accessToken = access.accessToken;
        if (mode === 'token') state.refreshToken = refreshTokenOf(body);
      }
      return access;
    } catch (error) {
      // A refused refresh token is spent or revoked: the session is over here too.
      const refused = error instanceof GatehouseError && error.code === 'invalid_refresh_token';
      if (refused && current()) forget(state);
      throw error;
    }
  });

  const authorizedFetch: AuthorizedFetch = createAuthorizedFetch({
    options,
    state,
    reloadCsrfToken: () => csrf.run(),
    refreshSettled: () => refresher.settled(),
    async refreshAfter(failed) {
      if (state.accessToken !== undefined && state.accessToken !== failed) return true;
      if (!state.refreshToken) return false;
      return refresher.run().then(
        () => true,
        () => false,
      );
    },
  });

  const signInWith = async (path: string, body: JsonObject): Promise<SignInResult> =>
    acceptSignIn(state, mode, await send(path, { body: { ...body, ...delivery } }, false));

  return {
    mode,
    signIn: (credentials) => signInWith('/auth/login', { ...credentials }),
    signInWith,
    async verifySecondFactor(step) {
      const result = await signInWith('/auth/mfa/verify', { ...step });
      if (result.kind === 'signed_in') return result;
      throw new GatehouseError('unexpected_response', {
        status: 200,
        detail: 'A second factor was answered with another challenge',
      });
    },
    async signOut() {
      try {
        await send('/auth/logout', { method: 'POST' }, true);
      } catch (error) {
        // Already signed out (or never was): nothing is left to end. Anything else: keep the
        // tokens, so that a retry can still end the session at the server.
        if (!(error instanceof GatehouseError && error.status === 401)) throw error;
      }
      forget(state);
    },
    me: async () => meOf(await send('/auth/me', {}, true)),
    refresh: () => refresher.run(),
    fetch: (input, init) => authorizedFetch(input, init),
    api: (path, call = {}) => send(path, call, true),
  };
}
