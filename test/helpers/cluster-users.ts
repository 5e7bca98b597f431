import { strongPassword, uniqueEmail } from './accounts.js';
import { Client } from './client.js';
import { type LoginBody, REFRESH_COOKIE, type RefreshBody } from './tokens.js';

/** Fetch with a deadline: a hang is a failure, never a test that waits forever. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Every credential one sign-in hands out, plus an API key minted from its session. */
export interface Credentials {
  userId: string;
  email: string;
  sessionCookie: string;
  csrfToken: string;
  accessToken: string;
  refreshToken: string;
  apiKey: string;
}

const cookieHeader = (client: Client) =>
  [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');

/** Registers on `registerOn`, signs in on `signInOn` and mints an API key there. */
export async function signUpAndIn(registerOn: string, signInOn: string): Promise<Credentials> {
  const email = uniqueEmail('many');
  const registered = await new Client(registerOn).post<{ user: { id: string } }>('/auth/register', {
    email,
    password: strongPassword,
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const client = new Client(signInOn);
  const login = await client.post<LoginBody>('/auth/login', { email, password: strongPassword });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  client.csrfToken = login.body.csrfToken;
  const refreshToken = client.cookies.get(REFRESH_COOKIE);
  if (!refreshToken) throw new Error('no refresh cookie');
  const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
    name: 'many instances',
  });
  if (created.status !== 201) throw new Error(`api key: ${created.status} ${created.text}`);
  client.cookies.delete(REFRESH_COOKIE);
  return {
    userId: registered.body.user.id,
    email,
    sessionCookie: cookieHeader(client),
    csrfToken: login.body.csrfToken,
    accessToken: login.body.accessToken,
    refreshToken,
    apiKey: created.body.apiKey.key,
  };
}

const status = (url: string, path: string, init: RequestInit) =>
  fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then(
    async (r) => {
      await r.arrayBuffer();
      return r.status;
    },
  );

export const meByCookie = (url: string, c: Pick<Credentials, 'sessionCookie'>) =>
  status(url, '/auth/me', { headers: { cookie: c.sessionCookie } });
export const meByToken = (url: string, c: Pick<Credentials, 'accessToken'>) =>
  status(url, '/auth/me', { headers: { authorization: `Bearer ${c.accessToken}` } });
export const meByApiKey = (url: string, c: Pick<Credentials, 'apiKey'>) =>
  status(url, '/auth/me', { headers: { 'x-api-key': c.apiKey } });

/** Presents the refresh token in the body; on 200 the credentials take the rotated pair. */
export async function refresh(url: string, c: Credentials): Promise<number> {
  const response = await fetch(`${url}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: c.refreshToken }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as RefreshBody;
  if (response.status === 200) {
    c.accessToken = body.accessToken;
    if (body.refreshToken) c.refreshToken = body.refreshToken;
  }
  return response.status;
}

/** Presents the refresh token without taking the rotated pair: a probe must not rotate what it probes. */
export const refreshProbe = (url: string, c: Pick<Credentials, 'refreshToken'>) =>
  status(url, '/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: c.refreshToken }),
  });

/** The four ways in a ban must close, by name. */
export const CREDENTIAL_PROBES = [
  ['cookie', meByCookie],
  ['access token', meByToken],
  ['API key', meByApiKey],
  ['refresh token', refreshProbe],
] as const;

/** Each of the four asked of one instance: the statuses in CREDENTIAL_PROBES' order. */
export const everyCredentialOn = (url: string, c: Credentials) =>
  Promise.all(CREDENTIAL_PROBES.map(([, probe]) => probe(url, c)));

/** An admin signed in by access token (no cookie, so no CSRF), re-signing in when it expires. */
export class Admin {
  private token = '';
  constructor(
    private readonly email: string,
    private readonly password: string,
  ) {}

  async signIn(url: string): Promise<number> {
    const login = await new Client(url).post<LoginBody>('/auth/login', {
      email: this.email,
      password: this.password,
    });
    if (login.status === 200) this.token = login.body.accessToken;
    return login.status;
  }

  /** POST as the admin; one fresh sign-in on 401 (an expired token). */
  async post(url: string, path: string, body: unknown = {}): Promise<number> {
    const send = () => status(url, path, this.init(body));
    const first = await send();
    if (first !== 401) return first;
    if ((await this.signIn(url)) !== 200) return first;
    return send();
  }

  private init(body: unknown): RequestInit {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(body),
    };
  }
}
