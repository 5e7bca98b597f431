/**
 * What an attacker tries against the provider besides redirect URIs, PKCE
 * and reuse (their own files): client authentication, one client's codes and
 * tokens used by another, a banned user's tokens, flows and parameters the
 * provider does not offer, open redirects through logout and logout CSRF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banUser } from '../../../src/authn/admin.js';
import { deleteClient } from '../../../src/provider/clients.js';
import { findOauthClient } from '../../../src/store/repositories/oauth-clients.js';
import { signedInUser } from '../../helpers/accounts.js';
import { Client, type Response } from '../../helpers/client.js';
import { openPage, submitForm } from '../../helpers/pages.js';
import {
  basicOf,
  type ClientCredentials,
  expectErrorPage,
  expectOauthError,
  isActive,
  issuedCode,
  openProviderPage,
  postToProvider,
  providerUser,
  redeemCode,
  refresh,
  tokensOf,
  userinfoStatus,
} from '../../helpers/provider-attacks.js';
import {
  APP_CALLBACK,
  answerConsent,
  follow,
  newBrowser,
  type RelyingParty,
  relyingParty,
  signInOnPage,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let server: TestServer;
let app: RelyingParty;
let otherApp: RelyingParty;
let publicApp: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  app = await relyingParty(server, { name: 'App' });
  otherApp = await relyingParty(server, { name: 'Other App' });
  publicApp = await relyingParty(server, { name: 'Public App', public: true });
});
afterAll(() => server.stop());

const secretOf = (rp: RelyingParty): string => {
  if (rp.clientSecret === undefined) throw new Error('a confidential client was expected');
  return rp.clientSecret;
};

/** A complete, valid authorization request of `app`, but for what a test changes. */
const authorizationQuery = (params: Record<string, string> = {}) => ({
  client_id: app.clientId,
  response_type: 'code',
  scope: 'openid',
  redirect_uri: APP_CALLBACK,
  state: 'app-state',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  ...params,
});

/**
 * What an authorization request is answered with at the (registered) app:
 * the parameters of the redirect, in its query or (for response types that
 * would carry tokens) its fragment. Never a code here.
 */
function answerAtApp(answer: { status: number; location: string | null }): URLSearchParams {
  expect(answer.status, String(answer.location)).toBe(303);
  const back = new URL(answer.location ?? '');
  expect(`${back.origin}${back.pathname}`).toBe(APP_CALLBACK);
  const params = new URLSearchParams(back.search);
  for (const [name, value] of new URLSearchParams(back.hash.slice(1))) params.append(name, value);
  for (const leaked of ['code', 'access_token', 'id_token']) expect(params.has(leaked)).toBe(false);
  return params;
}

describe('client authentication at the token endpoint', () => {
  it('a wrong, foreign, missing or stolen-hash secret: 401 invalid_client', async () => {
    const issued = await issuedCode(server, app);
    const stored = await findOauthClient(server.core.store.db, app.clientId);
    const hash = stored?.secret_hash;
    if (!hash) throw new Error('the app has no stored secret hash');
    const attempts: ReadonlyArray<[string, ClientCredentials]> = [
      ['a wrong secret', { basic: { id: app.clientId, secret: `${secretOf(app)}x` } }],
      ['another client’s secret', { basic: { id: app.clientId, secret: secretOf(otherApp) } }],
      ['no secret, only the client id', { post: { id: app.clientId } }],
      [
        'the stored hash of the secret (a database leak)',
        { basic: { id: app.clientId, secret: hash } },
      ],
      ['a wrong secret in the form body', { post: { id: app.clientId, secret: 'guess' } }],
      [
        'its secret under another client’s id',
        { basic: { id: otherApp.clientId, secret: secretOf(app) } },
      ],
    ];
    for (const [what, credentials] of attempts) {
      const answer = await redeemCode(server, app, issued, {}, credentials);
      expect({ what, status: answer.status, error: answer.body.error }).toEqual({
        what,
        status: 401,
        error: 'invalid_client',
      });
    }
    // No client authentication at all, or an empty secret, is a malformed request to oidc-provider.
    for (const credentials of ['none', { basic: { id: app.clientId, secret: '' } }] as const)
      expectOauthError(
        await redeemCode(server, app, issued, {}, credentials),
        400,
        'invalid_request',
      );
    // None of it spent the code: the app, authenticated, still redeems it.
    tokensOf(await redeemCode(server, app, issued));
  });

  it('another client, with its own valid credentials, cannot redeem a code or refresh token it was not issued', async () => {
    const issued = await issuedCode(server, app);
    expectOauthError(
      await redeemCode(server, app, issued, {}, basicOf(otherApp)),
      400,
      'invalid_grant',
    );
    const tokens = tokensOf(await redeemCode(server, app, issued));
    expectOauthError(await refresh(server, otherApp, tokens.refresh_token), 400, 'invalid_grant');
    // A public client's code cannot be taken over by a confidential one, nor the reverse.
    const publicCode = await issuedCode(server, publicApp);
    expectOauthError(
      await redeemCode(server, publicApp, publicCode, {}, basicOf(app)),
      400,
      'invalid_grant',
    );
    // The owner's tokens are untouched by the attempts.
    expect(await isActive(server, app, tokens.refresh_token)).toBe(true);
    tokensOf(await refresh(server, app, tokens.refresh_token));
  });

  it('a public client naming a confidential client’s id gets nothing without its secret', async () => {
    const issued = await issuedCode(server, app);
    expectOauthError(
      await redeemCode(server, app, issued, {}, { post: { id: app.clientId } }),
      401,
      'invalid_client',
    );
  });
});

describe('tokens of one client in the hands of another', () => {
  it('another client cannot revoke them; a public one cannot introspect them', async () => {
    const tokens = tokensOf(await redeemCode(server, app, await issuedCode(server, app)));
    const revoked = await postToProvider(
      server,
      'token/revocation',
      { token: tokens.refresh_token },
      basicOf(otherApp),
    );
    expect(revoked.status).toBe(400);
    expect(revoked.body.error).toBe('invalid_request');
    expect(await isActive(server, app, tokens.refresh_token)).toBe(true);
    expect(await isActive(server, publicApp, tokens.access_token)).toBe(false);
    expect(await isActive(server, app, tokens.access_token)).toBe(true);
  });

  it('userinfo takes only an access token: not the ID token, not a refresh token, not garbage', async () => {
    const answer = await redeemCode(server, app, await issuedCode(server, app));
    const tokens = tokensOf(answer);
    for (const bearer of [String(answer.body.id_token), tokens.refresh_token, 'x'.repeat(43)])
      expect(await userinfoStatus(server, bearer)).toBe(401);
    expect(await userinfoStatus(server, tokens.access_token)).toBe(200);
  });
});

describe('a banned user', () => {
  it('their refresh token → invalid_grant, their access token → 401 at userinfo, inactive', async () => {
    const issued = await issuedCode(server, app);
    const tokens = tokensOf(await redeemCode(server, app, issued));
    expect(await userinfoStatus(server, tokens.access_token)).toBe(200);
    await banUser(
      server.core,
      issued.user.id,
      { actorId: null, reason: 'attack test' },
      { ip: null, userAgent: 'test' },
    );
    expectOauthError(await refresh(server, app, tokens.refresh_token), 400, 'invalid_grant');
    expect(await userinfoStatus(server, tokens.access_token)).toBe(401);
    expect(await isActive(server, app, tokens.access_token)).toBe(false);
    expect(await isActive(server, app, tokens.refresh_token)).toBe(false);
  });

  it('a code issued before the ban does not redeem after it', async () => {
    const issued = await issuedCode(server, app);
    await banUser(server.core, issued.user.id, { actorId: null }, { ip: null, userAgent: 'test' });
    expectOauthError(await redeemCode(server, app, issued), 400, 'invalid_grant');
  });
});

describe('the interaction pages', () => {
  it('an interaction opened in another browser (a phished link): “start again”, no consent, no code', async () => {
    const attacker = newBrowser(server);
    const started = await startAuthorization(app);
    const at = await follow(attacker, `${started.url.pathname}${started.url.search}`);
    const interaction = new URL(at.path, server.url).searchParams.get('return_to') ?? '';
    expect(interaction).toMatch(/^\/authorize\/[\w-]+(\?signed_in=1)?$/);
    const victim = await signedInUser(server);
    const seen = await openPage(victim.client, interaction);
    expect(seen.status).toBe(400);
    expect(seen.text).toContain('Start again');
    expect(seen.text).not.toContain('name="answer"');
    const answered = await submitForm(
      victim.client,
      interaction,
      { answer: 'allow' },
      { from: '/account' },
    );
    expect(answered.headers.get('location') ?? '').not.toContain(APP_CALLBACK);
    expect(answered.text).toContain('Start again');
  });

  it('consent without the page’s CSRF field is refused; the user’s own answer still works', async () => {
    const user = await providerUser(server);
    const browser = newBrowser(server);
    const started = await startAuthorization(app);
    const login = await follow(browser, `${started.url.pathname}${started.url.search}`);
    const consent = await follow(
      browser,
      await signInOnPage(browser, login.path, user.email, user.password),
    );
    expect(consent.page?.text).toContain('name="answer"');
    const forged = await submitForm(browser, consent.path, { answer: 'allow' }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
    const back = await follow(browser, await answerConsent(browser, consent.path, 'allow'));
    expect(back.leftTo?.searchParams.has('code')).toBe(true);
  });
});

describe('a deleted client', () => {
  it('its tokens stop working at once', async () => {
    const doomed = await relyingParty(server, { name: 'Doomed App' });
    const tokens = tokensOf(await redeemCode(server, doomed, await issuedCode(server, doomed)));
    expect(await userinfoStatus(server, tokens.access_token)).toBe(200);
    await deleteClient(server.core, doomed.clientId);
    expect(await userinfoStatus(server, tokens.access_token)).toBe(401);
    expectOauthError(await refresh(server, doomed, tokens.refresh_token), 401, 'invalid_client');
  });
});

describe('scope escalation', () => {
  it('a refresh cannot widen the scope the user granted', async () => {
    const tokens = tokensOf(await redeemCode(server, app, await issuedCode(server, app)));
    const wider = await postToProvider(
      server,
      'token',
      {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: 'openid email roles',
      },
      basicOf(app),
    );
    expectOauthError(wider, 400, 'invalid_scope');
  });
});

describe('flows and parameters the provider does not offer', () => {
  it.each([
    ['token'],
    ['id_token'],
    ['id_token token'],
    ['code id_token'],
    ['code token'],
    ['none'],
  ])(
    'response_type=%s → unsupported_response_type at the app, no token, no code',
    async (responseType) => {
      const answer = await openProviderPage(
        server,
        '/oauth2/auth',
        authorizationQuery({ response_type: responseType, nonce: 'n' }),
      );
      // The redirect URI and client are good, so the error goes back to the app, and only the error.
      expect(answerAtApp(answer).get('error')).toBe('unsupported_response_type');
    },
  );

  it('a client id that does not exist: our error page, never a redirect', async () => {
    const answer = await openProviderPage(
      server,
      '/oauth2/auth',
      authorizationQuery({
        client_id: 'client_doesnotexist',
        redirect_uri: 'https://evil.example/cb',
      }),
    );
    expectErrorPage(answer, 'invalid_client');
  });

  it('a second redirect_uri (parameter pollution): refused on our page', async () => {
    const query = new URLSearchParams(authorizationQuery());
    query.append('redirect_uri', 'https://evil.example/cb');
    const response = await fetch(`${server.url}/oauth2/auth?${query}`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expectErrorPage(
      {
        status: response.status,
        location: response.headers.get('location'),
        text: await response.text(),
      },
      'invalid_request',
    );
  });

  it('a scope the client is not registered for → invalid_scope back to the app', async () => {
    const narrow = await relyingParty(server, { name: 'Narrow App', scope: 'openid email' });
    const answer = await openProviderPage(
      server,
      '/oauth2/auth',
      authorizationQuery({ client_id: narrow.clientId, scope: 'openid roles' }),
    );
    expect(answerAtApp(answer).get('error')).toBe('invalid_scope');
  });

  it('an unsigned request object (alg none) is not taken', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const request = `${encode({ alg: 'none' })}.${encode({
      ...authorizationQuery(),
      redirect_uri: 'https://evil.example/cb',
      iss: app.clientId,
      aud: server.core.issuer,
    })}.`;
    const answer = await openProviderPage(server, '/oauth2/auth', {
      ...authorizationQuery(),
      request,
    });
    expect(answer.location ?? '').not.toContain('evil.example');
    expect(answer.status).not.toBe(500);
    if (answer.status === 303)
      expect(answerAtApp(answer).get('error')).toMatch(
        /^(request_not_supported|invalid_request_object)$/,
      );
    else expect(answer.status).toBe(400);
  });

  it('grants a client is not registered for, and grants that do not exist', async () => {
    const machine = await postToProvider(
      server,
      'token',
      { grant_type: 'client_credentials', scope: 'openid' },
      basicOf(app),
    );
    // RFC 6749 §5.2 (oidc-provider's own answer, invalid_request, is mapped in token-errors.ts).
    expectOauthError(machine, 400, 'unauthorized_client');
    expect(machine.body.error_description).toBe(
      'requested grant type is not allowed for this client',
    );
    for (const grantType of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])
      expectOauthError(
        await postToProvider(server, 'token', { grant_type: grantType }, basicOf(app)),
        400,
        'unsupported_grant_type',
      );
  });
});

describe('logout: open redirects and signing people out', () => {
  const SIGNED_OUT = 'http://localhost:4999/signed-out';

  /**
   * RP-initiated logout in a browser: the request, then (nobody being signed
   * in, so nothing to ask) the provider's self-submitting confirmation form.
   * Where the browser is sent in the end, or the error page that stopped it.
   */
  async function signOut(
    params: Record<string, string>,
    browser = newBrowser(server),
    answer: Record<string, string> = {},
  ) {
    const page = await openPage(browser, `/oauth2/session/end?${new URLSearchParams(params)}`);
    if (page.status !== 200) return { page, leftTo: null };
    const action = /<form[^>]* method="post" action="([^"]+)"/.exec(page.text)?.[1];
    if (!action) throw new Error(`no confirmation form: ${page.text.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const [, name = '', value = ''] of page.text.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g,
    ))
      fields.set(name, value);
    for (const [name, value] of Object.entries(answer)) fields.set(name, value);
    const confirmed = await browser.request('POST', new URL(action).pathname, {
      body: fields.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      withoutCsrf: true,
      manualRedirect: true,
    });
    expect(confirmed.status, confirmed.text.slice(0, 300)).toBe(303);
    return { page, leftTo: new URL(confirmed.headers.get('location') ?? '', server.url) };
  }
  /** Whether the Gatehouse session a browser holds now is still live (asked with a copy of its cookies). */
  const stillSignedIn = (browser: Client) => {
    const copy = new Client(server.url);
    for (const [name, value] of browser.cookies) copy.cookies.set(name, value);
    return async () => (await copy.get('/auth/me')).status === 200;
  };
  const errorOf = (page: Response) => ({
    status: page.status,
    location: page.headers.get('location'),
    text: page.text,
  });

  it('the registered post-logout URI of the named client: sent there (the control)', async () => {
    const { leftTo } = await signOut({
      client_id: app.clientId,
      post_logout_redirect_uri: SIGNED_OUT,
      state: 'bye',
    });
    expect(`${leftTo?.origin}${leftTo?.pathname}`).toBe(SIGNED_OUT);
    expect(leftTo?.searchParams.get('state')).toBe('bye');
  });

  it.each([
    ['an unregistered URI', 'https://evil.example/'],
    ['a near-miss of the registered one', `${SIGNED_OUT}/`],
    ['a userinfo trick', 'http://localhost:4999@evil.example/signed-out'],
    ['the app’s redirect URI (not a post-logout URI)', APP_CALLBACK],
  ])('%s: refused on our page, no redirect', async (_what, uri) => {
    const { page } = await signOut({ client_id: app.clientId, post_logout_redirect_uri: uri });
    expectErrorPage(errorOf(page), 'invalid_request');
  });

  it.each([
    ['a registered URI', SIGNED_OUT],
    ['an unregistered URI', 'https://evil.example/'],
  ])('%s without naming a client: ignored, the browser stays with us', async (_what, uri) => {
    const { leftTo } = await signOut({ post_logout_redirect_uri: uri });
    expect(leftTo?.origin).toBe(new URL(server.url).origin);
    expect(leftTo?.pathname).toBe('/oauth2/session/end/success');
  });

  it('after an app signed in through the provider: asked first, and “Sign out” ends the Gatehouse session (the control)', async () => {
    const { browser } = await issuedCode(server, app);
    const live = stillSignedIn(browser);
    expect(await live()).toBe(true);
    const { page, leftTo } = await signOut({ client_id: app.clientId }, browser, { logout: 'yes' });
    expect(page.text).toContain('id="op.logoutForm"');
    expect(page.text).not.toContain('forms[0].submit()');
    expect(leftTo?.pathname).toBe('/oauth2/session/end/success');
    expect(await live()).toBe(false);
  });

  it('a link to the end-session endpoint does not sign a Gatehouse user out unasked', async () => {
    // Signed in to Gatehouse, but with no app through the provider yet: the
    // provider has no session of its own, so it asks nothing and confirms at once.
    const user = await signedInUser(server);
    const live = stillSignedIn(user.client);
    expect(await live()).toBe(true);
    const { page, leftTo } = await signOut({}, user.client);
    expect(page.text).toContain('forms[0].submit()');
    expect(leftTo?.pathname).toBe('/oauth2/session/end/success');
    expect(await live()).toBe(true);
    expect((await user.client.get('/auth/me')).status).toBe(200);
  });

  it('an unknown client: refused', async () => {
    const { page } = await signOut({
      client_id: 'client_doesnotexist',
      post_logout_redirect_uri: 'https://evil.example/',
    });
    expectErrorPage(errorOf(page), 'invalid_client');
  });

  it('one app’s ID token as the hint for another app’s logout: refused', async () => {
    const answer = await redeemCode(server, app, await issuedCode(server, app));
    const { page } = await signOut({
      id_token_hint: String(answer.body.id_token),
      client_id: otherApp.clientId,
      post_logout_redirect_uri: SIGNED_OUT,
    });
    expectErrorPage(errorOf(page), 'invalid_request');
  });
});
