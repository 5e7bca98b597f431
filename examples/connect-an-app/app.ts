// A second app that signs its users in through Gatehouse (OpenID Connect,
// authorization code + PKCE): /login → Gatehouse → /callback → the user's
// email and roles on /; /logout ends the session here and at Gatehouse.
// Nothing but node:http and openid-client: any app in any language does the same.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';

export interface AppConfig {
  /** Gatehouse's issuer: its GATEHOUSE_PUBLIC_URL. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where this app lives; Gatehouse knows `<appUrl>/callback` and `<appUrl>/` from its registration. */
  appUrl: string;
}

interface SignedIn {
  sub: string;
  email: string;
  roles: string[];
  idToken: string;
}

interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
}

const SESSION = 'app_session';
const LOGIN = 'app_login';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function page(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<!doctype html><title>Example app</title>${body}`);
}

function redirect(response: ServerResponse, to: string, cookies: string[] = []): void {
  response.writeHead(302, { location: to, 'set-cookie': cookies });
  response.end();
}

/** Discovers Gatehouse and serves the app on the port of `appUrl`. */
export async function startApp(config: AppConfig): Promise<{ url: string; server: Server }> {
  const issuer = new URL(config.issuer);
  // Plain http only for a Gatehouse on this machine (development); anywhere else, https.
  const insecure = issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
  const gatehouse = await oidc.discovery(
    issuer,
    config.clientId,
    config.clientSecret,
    undefined,
    insecure,
  );
  const appUrl = new URL(config.appUrl);
  const secure = appUrl.protocol === 'https:' ? '; Secure' : '';
  const sessionCookie = (name: string, value: string, maxAge: number) =>
    `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
  const callback = new URL('/callback', appUrl).href;
  // In memory for the example; a real app keeps them in its session store.
  const sessions = new Map<string, SignedIn>();
  const pending = new Map<string, PendingLogin>();

  async function login(response: ServerResponse) {
    const login = {
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    };
    const id = randomBytes(16).toString('base64url');
    pending.set(id, login);
    const to = oidc.buildAuthorizationUrl(gatehouse, {
      redirect_uri: callback,
      scope: 'openid email profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    redirect(response, to.href, [sessionCookie(LOGIN, id, 600)]);
  }

  async function finish(request: IncomingMessage, response: ServerResponse) {
    const id = cookie(request, LOGIN);
    const login = id ? pending.get(id) : undefined;
    if (!id || !login) return page(response, 400, '<p>No sign-in was started here.</p>');
    pending.delete(id);
    const tokens = await oidc.authorizationCodeGrant(
      gatehouse,
      new URL(request.url ?? '/', appUrl),
      {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
      },
    );
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('Gatehouse sent no ID token');
    // The ID token says who; userinfo adds the claims of the granted scopes (email, roles).
    const info = await oidc.fetchUserInfo(gatehouse, tokens.access_token, claims.sub);
    const session = randomBytes(32).toString('base64url');
    sessions.set(session, {
      sub: claims.sub,
      email: typeof info.email === 'string' ? info.email : '',
      roles: Array.isArray(info.roles) ? info.roles.map(String) : [],
      idToken: tokens.id_token,
    });
    redirect(response, '/', [
      sessionCookie(SESSION, session, 8 * 3600),
      sessionCookie(LOGIN, '', 0),
    ]);
  }

  function logout(request: IncomingMessage, response: ServerResponse) {
    const id = cookie(request, SESSION);
    const user = id ? sessions.get(id) : undefined;
    if (id) sessions.delete(id);
    if (!user) return redirect(response, '/', [sessionCookie(SESSION, '', 0)]);
    // RP-initiated logout: Gatehouse asks the person, ends its session, and sends them back here.
    const to = oidc.buildEndSessionUrl(gatehouse, {
      id_token_hint: user.idToken,
      post_logout_redirect_uri: new URL('/', appUrl).href,
    });
    redirect(response, to.href, [sessionCookie(SESSION, '', 0)]);
  }

  function home(request: IncomingMessage, response: ServerResponse) {
    const id = cookie(request, SESSION);
    const user = id ? sessions.get(id) : undefined;
    if (!user)
      return page(response, 200, '<h1>Example app</h1><p><a href="/login">Sign in</a></p>');
    const roles = user.roles.length > 0 ? user.roles.map(escapeHtml).join(', ') : 'none';
    page(
      response,
      200,
      `<h1>Example app</h1><p>Signed in as <strong data-email>${escapeHtml(user.email)}</strong></p>` +
        `<p>Roles: <span data-roles>${roles}</span></p><p><a href="/logout">Sign out</a></p>`,
    );
  }

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', appUrl).pathname;
    const route =
      request.method !== 'GET'
        ? null
        : path === '/'
          ? () => home(request, response)
          : path === '/login'
            ? () => login(response)
            : path === '/callback'
              ? () => finish(request, response)
              : path === '/logout'
                ? () => logout(request, response)
                : null;
    if (!route) return page(response, 404, '<p>Not found.</p>');
    Promise.resolve(route()).catch((error: unknown) => {
      // An error Gatehouse sent back (access_denied, …) or a failed check: say so, never a stack.
      const message = error instanceof Error ? error.message : String(error);
      page(response, 400, `<p>Sign-in failed: ${escapeHtml(message)}</p><a href="/">Back</a>`);
    });
  });
  const port = Number(appUrl.port || (appUrl.protocol === 'https:' ? 443 : 80));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return { url: appUrl.origin, server };
}
