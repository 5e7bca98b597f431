/**
 * What the client holds, in this object's memory only (never Web Storage, so
 * nothing outlives the page and no other script finds it by a well-known key).
 * Cookie mode keeps the CSRF token (the session itself is the browser's
 * HttpOnly cookie); token mode keeps the refresh token. Both keep the last
 * access token, which `refresh()` renews.
 */
export interface ClientState {
  accessToken: string | undefined;
  refreshToken: string | undefined;
  csrfToken: string | undefined;
  /** Moves on every sign-in and sign-out: a refresh that started before one must not write over it. */
  epoch: number;
}

export const emptyState = (): ClientState => ({
  accessToken: undefined,
  refreshToken: undefined,
  csrfToken: undefined,
  epoch: 0,
});

export function forget(state: ClientState): void {
  state.accessToken = undefined;
  state.refreshToken = undefined;
  state.csrfToken = undefined;
  state.epoch += 1;
}
