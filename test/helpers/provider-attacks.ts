/**
 * What the provider's attack tests share: a user signed in through a real
 * browser flow up to the code, and raw requests to the provider's endpoints
 * (openid-client refuses to send most of the bad requests an attacker would).
 */
import { expect } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from './accounts.js';
import type { Client } from './client.js';
import {
  APP_CALLBACK,
  authorizeInBrowser,
  newBrowser,
  type RelyingParty,
  startAuthorization,
} from './relying-party.js';
import type { TestServer } from './server.js';

export interface ProviderUser {
  email: string;
  password: string;
  id: string;
}

export async function providerUser(server: TestServer): Promise<ProviderUser> {
  const email = uniqueEmail('attack');
  const created = await register(
    server.core,
    { email, password: strongPassword, roles: [] },
    { ip: null, userAgent: 'test' },
  );
  return { email, password: strongPassword, id: created.id };
}

export interface IssuedCode {
  code: string;
  /** Where the browser came back to the app, code and state in its query. */
  back: URL;
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  user: ProviderUser;
  browser: Client;
}

/** A fresh user signs in and consents in a browser: the app holds a code it has not redeemed. */
export async function issuedCode(
  server: TestServer,
  rp: RelyingParty,
  params: Record<string, string> = {},
  user?: ProviderUser,
): Promise<IssuedCode> {
  const someone = user ?? (await providerUser(server));
  const browser = newBrowser(server);
  const started = await startAuthorization(rp, params);
  const back = await authorizeInBrowser(browser, started.url, someone);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back.href}`);
  const redirectUri = params.redirect_uri ?? APP_CALLBACK;
  return { ...started, code, back, redirectUri, user: someone, browser };
}

export interface OauthAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** How a request authenticates its client: HTTP Basic, form fields, or not at all. */
export type ClientCredentials =
  | { basic: { id: string; secret: string } }
  | { post: { id: string; secret?: string } }
  | 'none';

export const basicOf = (rp: RelyingParty): ClientCredentials => ({
  basic: { id: rp.clientId, secret: rp.clientSecret ?? '' },
});

/** The credentials a client was registered with (a public client only names itself). */
export const credentialsOf = (rp: RelyingParty): ClientCredentials =>
  rp.clientSecret === undefined ? { post: { id: rp.clientId } } : basicOf(rp);

/** POSTs a form to one of the provider's back-channel endpoints (token, introspection, revocation). */
export async function postToProvider(
  server: TestServer,
  endpoint: 'token' | 'token/introspection' | 'token/revocation',
  form: Record<string, string>,
  credentials: ClientCredentials,
): Promise<OauthAnswer> {
  const fields = new URLSearchParams(form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (credentials !== 'none' && 'basic' in credentials) {
    const { id, secret } = credentials.basic;
    const pair = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (credentials !== 'none') {
    fields.set('client_id', credentials.post.id);
    if (credentials.post.secret !== undefined) fields.set('client_secret', credentials.post.secret);
  }
  const response = await fetch(`${server.url}/oauth2/${endpoint}`, {
    method: 'POST',
    headers,
    body: fields.toString(),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Redeems a code at the token endpoint as the app would, or with whatever an attacker changes. */
export const redeemCode = (
  server: TestServer,
  rp: RelyingParty,
  issued: IssuedCode,
  overrides: Record<string, string> = {},
  credentials: ClientCredentials = credentialsOf(rp),
): Promise<OauthAnswer> =>
  postToProvider(
    server,
    'token',
    {
      grant_type: 'authorization_code',
      code: issued.code,
      redirect_uri: issued.redirectUri,
      code_verifier: issued.verifier,
      ...overrides,
    },
    credentials,
  );

export const refresh = (
  server: TestServer,
  rp: RelyingParty,
  refreshToken: string,
  credentials: ClientCredentials = credentialsOf(rp),
): Promise<OauthAnswer> =>
  postToProvider(
    server,
    'token',
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    credentials,
  );

/** Whether the provider still considers a token live, asked as the client it was issued to. */
export async function isActive(
  server: TestServer,
  rp: RelyingParty,
  token: string,
): Promise<boolean> {
  const answer = await postToProvider(server, 'token/introspection', { token }, credentialsOf(rp));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.active === true;
}

/** The userinfo endpoint's status for a bearer token. */
export async function userinfoStatus(server: TestServer, accessToken: string): Promise<number> {
  const response = await fetch(`${server.url}/oauth2/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** A token answer that succeeded: its tokens. */
export function tokensOf(answer: OauthAnswer): { access_token: string; refresh_token: string } {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const { access_token, refresh_token } = answer.body;
  if (typeof access_token !== 'string' || typeof refresh_token !== 'string')
    throw new Error(`no access and refresh token in ${JSON.stringify(answer.body)}`);
  return { access_token, refresh_token };
}

/** An RFC 6749 error answer of the token endpoint. */
export function expectOauthError(answer: OauthAnswer, status: number, error: string): void {
  expect({ status: answer.status, error: answer.body.error }, JSON.stringify(answer.body)).toEqual({
    status,
    error,
  });
}

/** A front-channel request (authorization, logout) as a browser sends it, redirects not followed. */
export async function openProviderPage(
  server: TestServer,
  path: string,
  query: Record<string, string>,
): Promise<{ status: number; location: string | null; text: string }> {
  const response = await fetch(`${server.url}${path}?${new URLSearchParams(query)}`, {
    headers: { accept: 'text/html' },
    redirect: 'manual',
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    text: await response.text(),
  };
}

/** Gatehouse's own error page for a request it will not send back to the app: 400, no redirect. */
export function expectErrorPage(
  answer: { status: number; location: string | null; text: string },
  error: string,
): void {
  const label = `${answer.status} ${answer.location} ${answer.text.slice(0, 300)}`;
  expect(answer.status, label).toBe(400);
  expect(answer.location, label).toBeNull();
  expect(answer.text, label).toContain('The app’s request did not work');
  expect(answer.text, label).toContain(`<code>${error}</code>`);
}
