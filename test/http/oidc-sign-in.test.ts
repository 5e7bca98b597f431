/**
 * Sign-in with upstream providers, against real ones running in the test:
 * oidc-provider plays "Google" (discovery, code + PKCE, signed ID tokens) and
 * a small server plays GitHub's OAuth 2.0 shape. Then the attacks.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../src/authn/account/registration.js';
import { saveOidcProvider } from '../../src/authn/federation/oidc-provider-store.js';
import { findUserByEmail } from '../../src/store/repositories/users.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { type FakeGithub, startFakeGithub } from '../helpers/github-server.js';
import { auditOf, enrolTotp, nextCode } from '../helpers/mfa.js';
import { type ProviderAnswer, startTestIdp, type TestIdp } from '../helpers/oidc-provider.js';
import { openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let idp: TestIdp;
let github: FakeGithub;
let server: TestServer;
const meta = { ip: null, userAgent: 'test' };

beforeAll(async () => {
  idp = await startTestIdp();
  github = await startFakeGithub();
  const fromIdp = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
  server = await startTestServer({
    settings: {
      oidc: {
        providers: [
          {
            id: 'google',
            name: 'Google',
            ...fromIdp,
            authoritativeEmailDomains: ['example.com'],
            allowCreate: true,
          },
          { id: 'existing-only', name: 'Existing only', ...fromIdp },
          {
            id: 'apple',
            name: 'Apple',
            ...fromIdp,
            responseMode: 'form_post',
            authoritativeEmailDomains: ['example.com'],
            allowCreate: true,
          },
          {
            id: 'github',
            name: 'GitHub',
            preset: 'github',
            clientId: github.clientId,
            clientSecret: github.clientSecret,
            authorizationEndpoint: `${github.url}/login/oauth/authorize`,
            tokenEndpoint: `${github.url}/login/oauth/access_token`,
            apiBaseUrl: github.url,
            allowCreate: true,
          },
        ],
      },
    },
  });
  idp.register(
    ['google', 'existing-only', 'apple', 'from-cli'].map(
      (id) => `${server.url}/auth/oidc/${id}/callback`,
    ),
  );
});
afterAll(async () => {
  await server?.stop();
  await idp?.stop();
  await github?.stop();
});

const pathOf = (url: URL) => `${url.pathname}${url.search}`;

/** Opens the start page; returns the provider's authorization URL. */
async function start(client: Client, provider = 'google', returnTo?: string): Promise<URL> {
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const response = await openPage(client, `/auth/oidc/${provider}/start${query}`);
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '');
}

/** Hands the provider's answer to the callback, as the browser would. */
function deliver(client: Client, answer: ProviderAnswer): Promise<Response> {
  if (answer.method === 'GET') return openPage(client, pathOf(answer.url));
  return client.request('POST', answer.url.pathname, {
    body: new URLSearchParams(answer.fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    withoutCsrf: true,
    manualRedirect: true,
  });
}

async function signInAtIdp(
  client: Client,
  account: { sub?: string; email?: string; email_verified?: boolean } = {},
  provider = 'google',
  returnTo?: string,
): Promise<Response> {
  idp.nextAccount = { sub: account.sub ?? randomUUID(), ...account };
  const answer = await idp.authorize((await start(client, provider, returnTo)).href);
  return deliver(client, answer);
}

const me = async (client: Client) =>
  (await client.get<{ user?: { id: string; email: string } }>('/auth/me')).body.user;

const localUser = (email: string, emailVerified = true) =>
  register(server.core, { email, password: strongPassword, emailVerified }, meta);

const identitiesOf = (userId: string) =>
  server.core.store.db.selectFrom('identities').selectAll().where('user_id', '=', userId).execute();

/** Why the last upstream sign-in was refused, as its audit row says. */
async function lastRefusal(): Promise<string> {
  const row = await server.core.store.db
    .selectFrom('audit_events')
    .select('detail')
    .where('type', '=', 'upstream_sign_in')
    .where('outcome', '=', 'failure')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return String((JSON.parse(row.detail) as { reason?: unknown }).reason);
}

/** The refusal page the callback shows: readable HTML, never a 500. */
function expectRefusalPage(response: Response, status = 400) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('text/html');
  expect(response.text).toContain('<h1>');
}

describe('the happy paths', () => {
  it('creates a user on a first Google sign-in (JIT) and signs in the same user again', async () => {
    const sub = randomUUID();
    const email = uniqueEmail('jit');
    const client = new Client(server.url);
    const authorize = await start(client, 'google');
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(
      `${server.url}/auth/oidc/google/callback`,
    );
    idp.nextAccount = { sub, email, email_verified: true };
    const done = await deliver(client, await idp.authorize(authorize.href));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account');
    const user = await me(client);
    expect(user?.email).toBe(email);

    const again = new Client(server.url);
    const second = await signInAtIdp(again, {
      sub,
      email: uniqueEmail('changed'),
      email_verified: true,
    });
    expect(second.status).toBe(303);
    expect((await me(again))?.id).toBe(user?.id);
    expect(await identitiesOf(user?.id ?? '')).toHaveLength(1);
    const registered = await auditOf(server, user?.id ?? '', 'identity_linked');
    expect(registered[0]?.detail).toMatchObject({ provider: 'google', how: 'created' });
  });

  it('links an existing verified account when the provider vouches for the email, and goes to return_to', async () => {
    const email = uniqueEmail('linked');
    const local = await localUser(email);
    const client = new Client(server.url);
    const done = await signInAtIdp(
      client,
      { email, email_verified: true },
      'google',
      '/account/sessions',
    );
    expect(done.headers.get('location')).toBe('/account/sessions');
    expect((await me(client))?.id).toBe(local.id);
    expect(await identitiesOf(local.id)).toHaveLength(1);
  });

  it('takes the Apple-shaped form_post answer on a cross-site POST callback', async () => {
    const client = new Client(server.url);
    idp.nextAccount = { sub: randomUUID(), email: uniqueEmail('apple'), email_verified: true };
    const authorize = await start(client, 'apple');
    expect(authorize.searchParams.get('response_mode')).toBe('form_post');
    const answer = await idp.authorize(authorize.href);
    expect(answer.method).toBe('POST');
    const done = await deliver(client, answer);
    expect(done.status).toBe(303);
    expect((await me(client))?.email).toBe(idp.nextAccount.email);
  });

  it('reads the verified primary email from GitHub, but opens no account for it: GitHub owns no mail domain', async () => {
    const email = uniqueEmail('octo');
    github.nextUser = {
      id: Math.floor(Math.random() * 1e9),
      login: 'octo',
      emails: [
        { email: uniqueEmail('unverified'), primary: false, verified: false },
        { email, primary: true, verified: true },
      ],
    };
    const client = new Client(server.url);
    const authorize = await start(client, 'github');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.has('nonce')).toBe(false);
    const done = await deliver(client, {
      method: 'GET',
      url: await github.authorize(authorize.href),
    });
    // Else whoever opens victim@… upstream first keeps that identity in the victim's future account.
    expectRefusalPage(done, 403);
    expect(await me(client)).toBeUndefined();
    expect(await findUserByEmail(server.core.store.db, email)).toBeNull();
  });

  it('a GitHub email that is not verified never takes over an existing account', async () => {
    const email = uniqueEmail('octo-victim');
    const victim = await localUser(email);
    github.nextUser = {
      id: Math.floor(Math.random() * 1e9),
      login: 'mallory',
      emails: [{ email, primary: true, verified: false }],
    };
    const client = new Client(server.url);
    const authorize = await start(client, 'github');
    const done = await deliver(client, {
      method: 'GET',
      url: await github.authorize(authorize.href),
    });
    // Without a verified email GitHub gives no address at all: no account to create, none taken over.
    expectRefusalPage(done, 403);
    expect(await identitiesOf(victim.id)).toHaveLength(0);
    expect(await me(client)).toBeUndefined();
  });

  it('a second factor still applies after the provider', async () => {
    const email = uniqueEmail('mfa');
    const local = await localUser(email);
    const password = new Client(server.url);
    const login = await password.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    password.csrfToken = login.body.csrfToken;
    const { secret } = await enrolTotp(server, password);
    const client = new Client(server.url);
    const done = await signInAtIdp(
      client,
      { email, email_verified: true },
      'google',
      '/account/sessions',
    );
    // The step to /login/mfa starts from a page of ours, so the browser sends its Strict challenge cookie.
    expect(done.status).toBe(200);
    expect(done.headers.get('refresh')).toBe('0;url=/login/mfa?return_to=%2Faccount%2Fsessions');
    expect(done.text).toContain('href="/login/mfa?return_to=%2Faccount%2Fsessions"');
    expect(await me(client)).toBeUndefined();
    const mfa = await submitForm(
      client,
      '/login/mfa',
      { code: nextCode(server, secret), method: 'totp', return_to: '/account/sessions' },
      { from: '/login/mfa' },
    );
    expect(mfa.status).toBe(303);
    const user = await me(client);
    expect(user?.id).toBe(local.id);
  });
});

describe('linking rules', () => {
  it.each([
    ['an unverified upstream email', 'google', { email_verified: false }, true],
    ['a provider not authoritative for the domain', 'google', { domain: 'elsewhere.test' }, true],
    ['an unverified local account', 'google', {}, false],
  ] as const)(
    'refuses %s taking over an account: 409, nothing linked, not signed in',
    async (_, provider, over, localVerified) => {
      const domain = 'domain' in over ? over.domain : 'example.com';
      const email = `victim-${randomUUID()}@${domain}`;
      const victim = await localUser(email, localVerified);
      const client = new Client(server.url);
      const done = await signInAtIdp(
        client,
        {
          email,
          email_verified: 'email_verified' in over ? over.email_verified : true,
        },
        provider,
      );
      expectRefusalPage(done, 409);
      expect(await identitiesOf(victim.id)).toHaveLength(0);
      expect(await me(client)).toBeUndefined();
      const refused = await auditOf(server, victim.id, 'upstream_sign_in');
      expect(refused.at(-1)).toMatchObject({
        outcome: 'failure',
        detail: { reason: 'link_required' },
      });
    },
  );

  it('a provider that does not create accounts refuses a stranger with 403', async () => {
    const client = new Client(server.url);
    const done = await signInAtIdp(
      client,
      { email: uniqueEmail('stranger'), email_verified: true },
      'existing-only',
    );
    expectRefusalPage(done, 403);
    expect(await me(client)).toBeUndefined();
  });

  it('links from the account page and unlinks, but never the last way in (409)', async () => {
    const email = uniqueEmail('linker');
    const local = await localUser(email);
    const client = new Client(server.url);
    const login = await client.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect(login.status).toBe(200);
    const sub = randomUUID();
    idp.nextAccount = { sub, email: uniqueEmail('other-mailbox'), email_verified: false };
    const link = await submitForm(
      client,
      '/account/linked-accounts/link',
      { provider: 'google' },
      { from: '/account/linked-accounts' },
    );
    expect(link.status).toBe(303);
    const answer = await idp.authorize(link.headers.get('location') ?? '');
    const linked = await deliver(client, answer);
    expect(linked.headers.get('location')).toBe('/account/linked-accounts?notice=identity_linked');
    const [identity] = await identitiesOf(local.id);
    expect(identity?.subject).toBe(sub);
    const page = await openPage(client, '/account/linked-accounts');
    expect(page.text).toContain('Google');

    // Another user cannot unlink it.
    const other = await localUser(uniqueEmail('other'));
    const otherClient = new Client(server.url);
    await otherClient.post('/auth/login', { email: other.email, password: strongPassword });
    const idor = await submitForm(
      otherClient,
      `/account/linked-accounts/${identity?.id}/unlink`,
      {},
      { from: '/account/linked-accounts' },
    );
    expect(idor.status).toBe(404);
    // Without the form token nothing happens.
    const forged = await submitForm(
      client,
      `/account/linked-accounts/${identity?.id}/unlink`,
      {},
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    expect(await identitiesOf(local.id)).toHaveLength(1);

    const unlinked = await submitForm(
      client,
      `/account/linked-accounts/${identity?.id}/unlink`,
      {},
      { from: '/account/linked-accounts' },
    );
    expect(unlinked.headers.get('location')).toBe(
      '/account/linked-accounts?notice=identity_unlinked',
    );
    expect(await identitiesOf(local.id)).toHaveLength(0);
  });

  it('refuses to unlink the only way into a federated-only account', async () => {
    const client = new Client(server.url);
    await signInAtIdp(client, { email: uniqueEmail('fedonly'), email_verified: true });
    const user = await me(client);
    const [identity] = await identitiesOf(user?.id ?? '');
    const refused = await submitForm(
      client,
      `/account/linked-accounts/${identity?.id}/unlink`,
      {},
      { from: '/account/linked-accounts' },
    );
    expect(refused.status).toBe(409);
    expect(await identitiesOf(user?.id ?? '')).toHaveLength(1);
  });
});

describe('attacks on the callback', () => {
  it('refuses a wrong state, and a state from another browser (login CSRF)', async () => {
    const client = new Client(server.url);
    idp.nextAccount = { sub: randomUUID(), email: uniqueEmail('state'), email_verified: true };
    const answer = await idp.authorize((await start(client)).href);
    if (answer.method !== 'GET') throw new Error('expected a redirect');
    const wrong = new URL(answer.url);
    wrong.searchParams.set('state', 'not-the-state');
    expectRefusalPage(await openPage(client, pathOf(wrong)));
    // The attacker's own callback URL, opened in a victim's browser.
    const victim = new Client(server.url);
    expectRefusalPage(await openPage(victim, pathOf(answer.url)));
    expect(await me(victim)).toBeUndefined();
    const missing = new URL(answer.url);
    missing.searchParams.delete('state');
    expectRefusalPage(await openPage(client, pathOf(missing)));
  });

  it('uses a state once: of ten parallel callbacks one signs in, and a replay is refused', async () => {
    const client = new Client(server.url);
    idp.nextAccount = { sub: randomUUID(), email: uniqueEmail('replay'), email_verified: true };
    const answer = await idp.authorize((await start(client)).href);
    const cookies = new Map(client.cookies);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => {
        const twin = new Client(server.url);
        for (const [k, v] of cookies) twin.cookies.set(k, v);
        return deliver(twin, answer);
      }),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(9);
    for (const [k, v] of cookies) client.cookies.set(k, v);
    expectRefusalPage(await deliver(client, answer));
  });

  it('a stolen code is useless without the PKCE verifier: the provider refuses it', async () => {
    const client = new Client(server.url);
    idp.nextAccount = { sub: randomUUID(), email: uniqueEmail('pkce'), email_verified: true };
    const answer = await idp.authorize((await start(client)).href);
    const code = answer.url.searchParams.get('code') ?? '';
    const exchange = (extra: Record<string, string>) =>
      fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: `${server.url}/auth/oidc/google/callback`,
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          ...extra,
        }),
      });
    const missing = await exchange({});
    expect(missing.status).toBe(400);
    const forged = await exchange({ code_verifier: 'a'.repeat(43) });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: string }).error).toBe('invalid_grant');
    // The browser that holds the verifier still finishes its own sign-in.
    expect((await deliver(client, answer)).status).toBe(303);
  });

  it('refuses an RFC 9207 iss that is not the provider', async () => {
    const client = new Client(server.url);
    idp.nextAccount = { sub: randomUUID(), email: uniqueEmail('iss'), email_verified: true };
    const answer = await idp.authorize((await start(client)).href);
    expect(answer.url.searchParams.get('iss')).toBe(idp.issuer);
    const mixUp = new URL(answer.url);
    mixUp.searchParams.set('iss', 'https://evil.example');
    expectRefusalPage(await openPage(client, pathOf(mixUp)));
    expect(await me(client)).toBeUndefined();
  });

  it('reports access_denied from the provider as a readable page, audited', async () => {
    const client = new Client(server.url);
    const authorize = await start(client);
    const denied = `/auth/oidc/google/callback?error=access_denied&state=${authorize.searchParams.get('state')}&iss=${encodeURIComponent(idp.issuer)}`;
    const response = await openPage(client, denied);
    expectRefusalPage(response);
    const rows = await server.core.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('type', '=', 'upstream_sign_in')
      .execute();
    expect(rows.some((r) => r.detail.includes('provider_access_denied'))).toBe(true);
  });

  const forgeries: Array<
    [
      string,
      Parameters<NonNullable<TestIdp['tamperIdToken']>>[0] extends infer T
        ? (t: T, s: Parameters<NonNullable<TestIdp['tamperIdToken']>>[1]) => string
        : never,
    ]
  > = [
    [
      'a wrong nonce',
      (t, s) => s.withProviderKey({ ...t, payload: { ...t.payload, nonce: 'other' } }),
    ],
    [
      'a wrong audience',
      (t, s) => s.withProviderKey({ ...t, payload: { ...t.payload, aud: 'someone-else' } }),
    ],
    [
      'a wrong issuer',
      (t, s) => s.withProviderKey({ ...t, payload: { ...t.payload, iss: 'https://evil.example' } }),
    ],
    [
      'an expired token',
      (t, s) =>
        s.withProviderKey({
          ...t,
          payload: {
            ...t.payload,
            exp: Math.floor(Date.now() / 1000) - 3600,
            iat: Math.floor(Date.now() / 1000) - 7200,
          },
        }),
    ],
    [
      'an azp naming another client',
      (t, s) =>
        s.withProviderKey({
          ...t,
          payload: {
            ...t.payload,
            aud: [String(t.payload.aud), 'other-client'],
            azp: 'other-client',
          },
        }),
    ],
    ['a signature by another key', (t, s) => s.withOtherKey(t)],
    ['alg none', (t, s) => s.unsigned(t)],
  ];

  it.each(forgeries)('refuses an ID token with %s', async (_, forge) => {
    const email = uniqueEmail('forged');
    const victim = await localUser(email);
    const client = new Client(server.url);
    idp.tamperIdToken = forge;
    try {
      const done = await signInAtIdp(client, { email, email_verified: true });
      expectRefusalPage(done);
      // Refused by the ID token's validation, not by anything before it.
      expect(await lastRefusal()).toMatch(/^oauth_(jwt_|invalid_response)/);
    } finally {
      idp.tamperIdToken = null;
    }
    expect(await me(client)).toBeUndefined();
    expect(await identitiesOf(victim.id)).toHaveLength(0);
  });

  it('never follows an open return_to', async () => {
    for (const evil of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const client = new Client(server.url);
      const done = await signInAtIdp(
        client,
        { email: uniqueEmail('open'), email_verified: true },
        'google',
        evil,
      );
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/account');
    }
  });

  it('an unknown provider is a 404 page, and bad input never a 500', async () => {
    const client = new Client(server.url);
    expect((await openPage(client, '/auth/oidc/nope/start')).status).toBe(404);
    expect((await openPage(client, '/auth/oidc/nope/callback?state=x&code=y')).status).toBe(404);
    expect((await openPage(client, '/auth/oidc/BAD!/start')).status).toBe(400);
    const garbage = await client.request('POST', '/auth/oidc/apple/callback', {
      body: 'state=%FF%FE&code=',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      withoutCsrf: true,
      manualRedirect: true,
    });
    expect(garbage.status).toBe(400);
  });
});

describe('a provider added with the CLI', () => {
  it('is a button on the login page and signs in, its secret opened from the sealed box', async () => {
    await saveOidcProvider(
      server.core,
      {
        id: 'from-cli',
        name: 'Acme SSO',
        issuer: idp.issuer,
        clientId: idp.clientId,
        authoritativeEmailDomains: ['example.com'],
        allowCreate: true,
      },
      idp.clientSecret,
    );
    const stored = await server.core.store.db.selectFrom('oidc_providers').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(idp.clientSecret);
    const page = await openPage(new Client(server.url), '/login');
    expect(page.text).toContain('Sign in with Acme SSO');
    const client = new Client(server.url);
    const done = await signInAtIdp(
      client,
      { email: uniqueEmail('cli'), email_verified: true },
      'from-cli',
    );
    expect(done.status).toBe(303);
    expect((await me(client))?.email).toBe(idp.nextAccount.email);
  });
});

describe('the login page', () => {
  it('shows one button per provider, carrying return_to', async () => {
    const page = await openPage(new Client(server.url), '/login?return_to=%2Faccount%2Fsessions');
    expect(page.text).toContain('href="/auth/oidc/google/start?return_to=%2Faccount%2Fsessions"');
    expect(page.text).toContain('Sign in with GitHub');
  });
});
