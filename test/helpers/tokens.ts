import { decodeJwt, decodeProtectedHeader } from 'jose';
import { register } from '../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from './accounts.js';
import { Client, type Response } from './client.js';
import type { TestServer } from './server.js';

export const REFRESH_COOKIE = '__Secure-gh_refresh';

export interface LoginBody {
  csrfToken: string;
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken?: string;
  user: { id: string };
}

export interface RefreshBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken?: string;
  code?: string;
}

export interface TokenUser {
  client: Client;
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  /** From the cookie, or from the body with `delivery: 'body'`. */
  refreshToken: string;
  login: Response<LoginBody>;
}

/** Logs an existing account in and keeps every token the login handed out. */
export async function logIn(
  server: TestServer,
  email: string,
  password: string,
  delivery: 'cookie' | 'body' = 'cookie',
): Promise<Omit<TokenUser, 'userId' | 'email' | 'password'>> {
  const client = new Client(server.url);
  const login = await client.post<LoginBody>('/auth/login', {
    email,
    password,
    ...(delivery === 'body' ? { refreshTokenDelivery: 'body' } : {}),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  client.csrfToken = login.body.csrfToken;
  const refreshToken =
    delivery === 'body' ? login.body.refreshToken : client.cookies.get(REFRESH_COOKIE);
  if (!refreshToken) throw new Error('login returned no refresh token');
  return { client, accessToken: login.body.accessToken, refreshToken, login };
}

/** Registers a user through the core and logs them in over HTTP. */
export async function tokenUser(
  server: TestServer,
  options: { roles?: string[]; isService?: boolean; delivery?: 'cookie' | 'body' } = {},
): Promise<TokenUser> {
  const email = uniqueEmail('tok');
  const password = strongPassword;
  const user = await register(
    server.core,
    { email, password, roles: options.roles ?? [], isService: options.isService ?? false },
    { ip: null, userAgent: 'test' },
  );
  const session = await logIn(server, email, password, options.delivery);
  return { ...session, email, password, userId: user.id };
}

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** GET /auth/me from a client with no cookies, with only the given headers. */
export const meWith = (server: TestServer, headers: Record<string, string>) =>
  new Client(server.url).get<{ user: { id: string; via: string; roles: string[] } }>('/auth/me', {
    headers,
  });

export const meWithToken = (server: TestServer, token: string) =>
  meWith(server, { authorization: `Bearer ${token}` });

/** Presents a refresh token in the body, from a client with no cookies. */
export const refreshWith = (server: TestServer, refreshToken: string) =>
  new Client(server.url).post<RefreshBody>('/auth/refresh', { refreshToken });

export const claimsOf = (token: string) => decodeJwt(token);
export const headerOf = (token: string) => decodeProtectedHeader(token);

/**
 * Polls every 50 ms until `check` is true or `timeoutMs` passed; returns
 * whether it became true. The only timing bound the tests assert.
 */
export async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
