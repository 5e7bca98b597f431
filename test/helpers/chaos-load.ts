import { decodeJwt } from 'jose';
import { strongPassword, uniqueEmail } from './accounts.js';
import { REQUEST_TIMEOUT_MS } from './cluster-users.js';
import { REFRESH_COOKIE } from './tokens.js';

/**
 * The steady load of the chaos test: clients that each go through a user's
 * life again and again (register, sign in, mint an API key, use every
 * credential on every instance, refresh, then be banned, log out or stay),
 * recording every answer, and what each change answered 2xx or 503 claims,
 * for the test to hold against the database and the instances afterwards.
 */
export type Outcome = number | 'timeout' | 'reset';

export interface Sample {
  op: string;
  instance: number;
  started: number;
  ended: number;
  outcome: Outcome;
}

export interface LiveUser {
  userId: string;
  email: string;
  sessionId: string;
  cookie: string;
  csrfToken: string;
  accessToken: string;
  refreshToken: string;
  apiKey: string | undefined;
}

/** A change and when its answer came. */
export interface Change {
  user: LiveUser;
  answeredAt: number;
}

export interface Claims {
  registered: Array<{ email: string; userId: string }>;
  /** Registrations answered 503: they must have left nothing. */
  registrationsRefused: string[];
  bans: Change[];
  bansRefused: LiveUser[];
  logouts: Change[];
  logoutsRefused: LiveUser[];
  /** An admin's "sign out everywhere" (`POST /admin/users/{id}/sessions/revoke`). */
  signOuts: Change[];
  signOutsRefused: LiveUser[];
  /** Per user: sign-ins answered 200, and whether any went unanswered (a killed instance). */
  signIns: Array<{ userId: string; ok: number; unanswered: boolean }>;
  /** Per signed-in user: API keys the answers say were made (0 or 1), unless unanswered. */
  apiKeys: Array<{ userId: string; made: number; unanswered: boolean }>;
  /** Users whose every answer was clean and who were left signed in. */
  kept: LiveUser[];
  /** A credential of a user neither banned nor logged out answered 401. */
  wrongRefusals: Array<{ op: string; instance: number; email: string }>;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export class Recorder {
  readonly samples: Sample[] = [];

  /** One request, recorded whatever happens; undefined when there was no answer. */
  async send(
    url: string,
    instance: number,
    op: string,
    init: { method?: string; path: string; headers?: Record<string, string>; json?: unknown },
  ): Promise<Reply | undefined> {
    const started = performance.now();
    const record = (outcome: Outcome) =>
      this.samples.push({ op, instance, started, ended: performance.now(), outcome });
    try {
      const response = await fetch(`${url}${init.path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      record(response.status);
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {}
      return { status: response.status, body, headers: response.headers };
    } catch (error) {
      record(error instanceof DOMException && error.name === 'TimeoutError' ? 'timeout' : 'reset');
      return undefined;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

const cookiesOf = (headers: Headers) =>
  new Map(
    headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
    }),
  );

export interface LoadOptions {
  urls: readonly string[];
  recorder: Recorder;
  claims: Claims;
  /** POSTs `path` as the admin on the given instance; undefined when the answer never came. */
  asAdmin(instance: number, op: string, path: string): Promise<number | undefined>;
  running(): boolean;
}

/** One client: users' lives one after another until `running()` turns false. */
export async function client(options: LoadOptions): Promise<void> {
  while (options.running()) {
    await oneLife(options);
    await sleep(50);
  }
}

async function oneLife({ urls, recorder, claims, asAdmin, running }: LoadOptions): Promise<void> {
  const instances = urls.map((_, i) => i);
  const send = (i: number, op: string, init: Parameters<Recorder['send']>[3]) =>
    recorder.send(urls[i] as string, i, op, init);

  const email = uniqueEmail('chaos');
  const registerOn = pick(instances);
  const registered = await send(registerOn, 'register', {
    method: 'POST',
    path: '/auth/register',
    json: { email, password: strongPassword },
  });
  if (registered?.status === 503) claims.registrationsRefused.push(email);
  if (registered?.status !== 201) {
    // As a client honouring Retry-After would, without waiting the whole 5 s.
    await sleep(500);
    return;
  }
  const userId = String((registered.body.user as { id: string }).id);
  claims.registered.push({ email, userId });

  // Sign in, through an outage if need be: a few tries, a second apart.
  let signedIn: Reply | undefined;
  let signInOn = 0;
  const signIns = { userId, ok: 0, unanswered: false };
  claims.signIns.push(signIns);
  for (let attempt = 0; attempt < 5 && running(); attempt += 1) {
    signInOn = pick(instances);
    signedIn = await send(signInOn, 'login', {
      method: 'POST',
      path: '/auth/login',
      json: { email, password: strongPassword },
    });
    if (signedIn === undefined) signIns.unanswered = true;
    if (signedIn?.status === 200) {
      signIns.ok += 1;
      break;
    }
    await sleep(1000);
  }
  if (signedIn?.status !== 200) return;
  const cookies = cookiesOf(signedIn.headers);
  const refreshToken = cookies.get(REFRESH_COOKIE) ?? '';
  cookies.delete(REFRESH_COOKIE);
  const accessToken = String(signedIn.body.accessToken);
  const user: LiveUser = {
    userId,
    email,
    sessionId: String(decodeJwt(accessToken).sid),
    cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    csrfToken: String(signedIn.body.csrfToken),
    accessToken,
    refreshToken,
    apiKey: undefined,
  };
  const minted = await send(signInOn, 'api-key', {
    method: 'POST',
    path: '/auth/api-keys',
    headers: { cookie: user.cookie, 'x-csrf-token': user.csrfToken },
    json: { name: 'chaos' },
  });
  if (minted?.status === 201) user.apiKey = (minted.body.apiKey as { key: string }).key;
  claims.apiKeys.push({ userId, made: user.apiKey ? 1 : 0, unanswered: minted === undefined });

  // Use every credential on every instance, the cookie most (a session cache would be hit).
  let clean = minted !== undefined;
  for (let round = 0; round < 8 && running() && clean; round += 1) {
    const on = pick(instances);
    const uses: Array<[string, Record<string, string>]> = [
      ['me-cookie', { cookie: user.cookie }],
      ['me-cookie', { cookie: user.cookie }],
      ['me-token', { authorization: `Bearer ${user.accessToken}` }],
    ];
    if (user.apiKey) uses.push(['me-api-key', { 'x-api-key': user.apiKey }]);
    const [op, headers] = pick(uses);
    const used = await send(on, op, { path: '/auth/me', headers });
    if (used === undefined) clean = false;
    else if (used.status === 401) claims.wrongRefusals.push({ op, instance: on, email });
    if (round % 3 === 2) {
      const refreshOn = pick(instances);
      const refreshed = await send(refreshOn, 'refresh', {
        method: 'POST',
        path: '/auth/refresh',
        json: { refreshToken: user.refreshToken },
      });
      // An answer that never came leaves the pair unknown: this user's life ends here.
      if (refreshed === undefined) clean = false;
      else if (refreshed.status === 200) {
        user.accessToken = String(refreshed.body.accessToken);
        user.refreshToken = String(refreshed.body.refreshToken);
      } else if (refreshed.status === 401)
        claims.wrongRefusals.push({ op: 'refresh', instance: refreshOn, email });
    }
    await sleep(30);
  }
  if (!clean || !running()) return;

  const ending = Math.random();
  const endOn = pick(instances);
  if (ending < 0.35) {
    const status = await asAdmin(endOn, 'ban', `/admin/users/${user.userId}/ban`);
    if (status === 200) claims.bans.push({ user, answeredAt: performance.now() });
    else if (status === 503) claims.bansRefused.push(user);
  } else if (ending < 0.5) {
    const status = await asAdmin(endOn, 'sign-out', `/admin/users/${user.userId}/sessions/revoke`);
    if (status === 200) claims.signOuts.push({ user, answeredAt: performance.now() });
    else if (status === 503) claims.signOutsRefused.push(user);
  } else if (ending < 0.75) {
    const out = await send(endOn, 'logout', {
      method: 'POST',
      path: '/auth/logout',
      headers: { cookie: user.cookie, 'x-csrf-token': user.csrfToken },
    });
    if (out?.status === 204) claims.logouts.push({ user, answeredAt: performance.now() });
    else if (out?.status === 503) claims.logoutsRefused.push(user);
  } else claims.kept.push(user);
}
