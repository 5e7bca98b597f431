import * as oidc from 'openid-client';
import { createClient, type NewClient } from '../../src/provider/clients.js';
import { registeredUser } from './accounts.js';
import { Client, type Response } from './client.js';
import { openPage, submitForm } from './pages.js';
import type { TestServer } from './server.js';

/** Where the test apps say they live: never fetched, the browser stops at the redirect. */
export const APP_CALLBACK = 'http://localhost:4999/callback';

export interface RelyingParty {
  clientId: string;
  clientSecret: string | undefined;
  config: oidc.Configuration;
}

/**
 * Registers a client with Gatehouse and discovers Gatehouse with openid-client, as an app would.
 * `auth`: how it authenticates at the token endpoint (default: its secret, or none for a public client).
 */
export async function relyingParty(
  server: TestServer,
  client: Partial<NewClient> = {},
  auth?: oidc.ClientAuth,
): Promise<RelyingParty> {
  const created = await createClient(server.core, {
    name: 'Test App',
    redirectUris: [APP_CALLBACK],
    postLogoutRedirectUris: ['http://localhost:4999/signed-out'],
    ...client,
  });
  const config = await oidc.discovery(
    new URL(server.url),
    created.client_id,
    {
      ...(created.client_secret ? { client_secret: created.client_secret } : {}),
      // openid-client then accepts ID tokens signed with this algorithm only.
      ...(client.idTokenSigningAlg
        ? { id_token_signed_response_alg: client.idTokenSigningAlg }
        : {}),
    },
    auth ?? (created.client_secret ? oidc.ClientSecretBasic(created.client_secret) : oidc.None()),
    { execute: [oidc.allowInsecureRequests] },
  );
  return { clientId: created.client_id, clientSecret: created.client_secret, config };
}

/** A started authorization request: the URL to send the browser to, and what the app keeps. */
export async function startAuthorization(
  rp: RelyingParty,
  params: Record<string, string> = {},
): Promise<{ url: URL; verifier: string; state: string; nonce: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: APP_CALLBACK,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Where a page's `Refresh: 0;url=…` header sends the browser at once, if it has one. */
const refreshTarget = (response: Response): string | null =>
  /^0\s*;\s*url=(.+)$/i.exec(response.headers.get('refresh') ?? '')?.[1] ?? null;

/**
 * Follows redirects as a browser would, on Gatehouse only (and a page that
 * moves on at once with a Refresh header): stops at the first answer that is
 * not a redirect (a page), or at a redirect leaving Gatehouse (to the app),
 * whose Location it returns.
 */
export async function follow(
  browser: Client,
  start: string,
): Promise<{ page: Response | null; leftTo: URL | null; path: string }> {
  let path = start;
  for (let hops = 0; hops < 20; hops++) {
    const response = await openPage(browser, path);
    const location =
      response.status >= 300 && response.status < 400
        ? response.headers.get('location')
        : refreshTarget(response);
    if (!location) return { page: response, leftTo: null, path };
    const next = new URL(location, browser.baseUrl + path);
    if (next.origin !== new URL(browser.baseUrl).origin) return { page: null, leftTo: next, path };
    path = `${next.pathname}${next.search}`;
  }
  throw new Error(`more than 20 redirects from ${start}`);
}

/**
 * Submits a page oidc-provider draws to post a form at once by script (its
 * form_post pages, e.g. "sign out the previous account first"), as a browser
 * running that script would, and follows on.
 */
export async function submitAutoPost(browser: Client, html: string) {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no self-submitting form on the page');
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)];
  const response = await browser.request('POST', pathOf(new URL(action.replace(/&amp;/g, '&'))), {
    body: new URLSearchParams(fields.map((m) => [m[1] ?? '', m[2] ?? ''])).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    manualRedirect: true,
  });
  const location = response.headers.get('location');
  if (response.status !== 303 || !location)
    throw new Error(`auto-post failed: ${response.status} ${response.text.slice(0, 200)}`);
  return follow(browser, pathOf(new URL(location, browser.baseUrl)));
}

/** A URL as the path a browser of Gatehouse opens (the cookie-jar Client takes paths). */
export const pathOf = (url: URL) => `${url.pathname}${url.search}`;

/** The app's part after the browser came back: the code redeemed, the ID token checked. */
export const redeem = (
  rp: RelyingParty,
  back: URL,
  started: { verifier: string; state: string; nonce: string },
) =>
  oidc.authorizationCodeGrant(rp.config, back, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  });

/** A new user signs in to `rp` in a fresh browser, and the app redeems the code (ID token checked). */
export async function newUserSignsIn(server: TestServer, rp: RelyingParty) {
  const user = await registeredUser(server);
  const started = await startAuthorization(rp);
  const back = await authorizeInBrowser(newBrowser(server), started.url, user);
  return { user, tokens: await redeem(rp, back, started) };
}

/** Signs in on Gatehouse's login page (email and password), starting from where a flow led. */
export async function signInOnPage(
  browser: Client,
  loginPath: string,
  email: string,
  password: string,
): Promise<string> {
  const url = new URL(loginPath, browser.baseUrl);
  const returnTo = url.searchParams.get('return_to') ?? '/account';
  const response = await submitForm(
    browser,
    '/login',
    { email, password, return_to: returnTo },
    { from: pathOf(url) },
  );
  const location = response.headers.get('location');
  if (response.status !== 303 || !location)
    throw new Error(`sign-in failed: ${response.status} ${response.text.slice(0, 200)}`);
  return location;
}

/** Answers the consent screen (allow, deny) or the account choice (continue, switch). */
export async function answerConsent(
  browser: Client,
  consentPath: string,
  answer: 'allow' | 'deny' | 'continue' | 'switch',
): Promise<string> {
  const response = await submitForm(browser, consentPath, { answer });
  // Back to the app, a page moves on (see `follow`); anything else is a redirect.
  const location =
    response.status === 303 ? response.headers.get('location') : refreshTarget(response);
  if (!location)
    throw new Error(`consent failed: ${response.status} ${response.text.slice(0, 200)}`);
  return location;
}

/** The whole browser part: authorize → sign in → consent → back at the app with a code. */
export async function authorizeInBrowser(
  browser: Client,
  authorizationUrl: URL,
  user: { email: string; password: string },
): Promise<URL> {
  let at = await follow(browser, pathOf(authorizationUrl));
  for (let steps = 0; steps < 6 && !at.leftTo; steps++) {
    if (at.path.startsWith('/login')) {
      at = await follow(browser, await signInOnPage(browser, at.path, user.email, user.password));
    } else if (at.path.startsWith('/authorize/') && at.page?.text.includes('name="answer"')) {
      at = await follow(browser, await answerConsent(browser, at.path, 'allow'));
    } else {
      throw new Error(`stuck at ${at.path}: ${at.page?.status} ${at.page?.text.slice(0, 300)}`);
    }
  }
  if (!at.leftTo) throw new Error('the flow never went back to the app');
  return at.leftTo;
}

export const newBrowser = (server: TestServer) => new Client(server.url);

/** A resource server's API in the provider tests' settings, and the scopes it knows. */
export const API = 'https://api.example';
export const API_SCOPES = ['posts:read', 'posts:write'];

/** A machine: a confidential client of the client credentials grant only. */
export const machineParty = (server: TestServer, scope = 'posts:read') =>
  relyingParty(server, {
    name: 'Test Machine',
    grants: ['client_credentials'],
    redirectUris: [],
    postLogoutRedirectUris: [],
    scope,
  });

/**
 * The OAuth error code an openid-client call failed with: from the error
 * body, or from the WWW-Authenticate challenge (a 401 invalid_client).
 */
export function oauthErrorOf(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return error.error;
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const code = error.cause[0]?.parameters.error;
    if (code) return code;
  }
  throw error;
}
