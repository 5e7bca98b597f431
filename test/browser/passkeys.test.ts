import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { webauthnFactor } from '../../src/authn/mfa/webauthn.js';
import { findUserById, withoutSecret } from '../../src/store/repositories/users.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { codeNow, enrolTotp, nextCode } from '../helpers/mfa.js';
import { callsNotRefused } from '../helpers/no-session-sweep.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freePort, openPasskeyPage, type PasskeyPage, passkeyPageRoutes } from './passkey-page.js';

/** What the page scripts see (the project compiles without the DOM library): the UMD global and storage. */
declare const window: {
  SimpleWebAuthnBrowser: {
    startRegistration(input: { optionsJSON: unknown }): Promise<RegistrationResponseJSON>;
    startAuthentication(input: { optionsJSON: unknown }): Promise<AuthenticationResponseJSON>;
  };
};
declare const sessionStorage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
};
type Json = Record<string, unknown>;

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

let browser: Browser;
let server: TestServer;
let origin: string;
beforeAll(async () => {
  browser = await chromium.connect(inject('chromiumWsEndpoint'));
  const port = await freePort();
  origin = `http://localhost:${port}`;
  server = await startTestServer({
    routes: passkeyPageRoutes,
    settings: { port, publicUrl: origin },
  });
});
afterAll(async () => {
  await server?.stop();
  await browser?.close();
});

/** Signs the page's browser in with a password (a fresh account unless given), keeping its CSRF token on the page. */
async function passwordLogin(page: PasskeyPage['page'], email: string) {
  return page.evaluate(
    async ({ email, password }) => {
      const response = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const body = (await response.json()) as Json;
      if (typeof body.csrfToken === 'string') sessionStorage.setItem('csrf', body.csrfToken);
      return { status: response.status, body };
    },
    { email, password: strongPassword },
  );
}

async function newAccount(page: PasskeyPage['page']) {
  const email = uniqueEmail('browser');
  const registered = await new Client(server.url).post('/auth/register', {
    email,
    password: strongPassword,
  });
  expect(registered.status).toBe(201);
  expect((await passwordLogin(page, email)).status).toBe(200);
  return email;
}

/** The whole registration ceremony in the page: options, navigator.credentials.create, verify. */
const registerPasskey = (page: PasskeyPage['page'], name = 'Virtual') =>
  page.evaluate(async (name): Promise<Answer> => {
    const csrf = sessionStorage.getItem('csrf') ?? '';
    const post = (url: string, body?: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
    const { options } = (await (await post('/auth/passkeys/register/options')).json()) as Json;
    const response = await window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
    const verified = await post('/auth/passkeys/register/verify', { response, name });
    return { status: verified.status, body: (await verified.json()) as Json };
  }, name);

/** Runs navigator.credentials.get in the page for options obtained elsewhere. */
const assert = (page: PasskeyPage['page'], optionsJSON: unknown) =>
  page.evaluate(
    (optionsJSON) =>
      window.SimpleWebAuthnBrowser.startAuthentication({
        optionsJSON,
      }),
    optionsJSON,
  ) as Promise<AuthenticationResponseJSON>;

/** Sign-in with a passkey alone, in the page: no email typed. */
const passkeyLogin = (page: PasskeyPage['page']) =>
  page.evaluate(async (): Promise<Answer> => {
    const post = (url: string, body?: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
      });
    const { options } = (await (await post('/auth/passkeys/login/options')).json()) as Json;
    const response = await window.SimpleWebAuthnBrowser.startAuthentication({
      optionsJSON: options,
    });
    const verified = await post('/auth/passkeys/login/verify', { response });
    const body = (await verified.json()) as Json;
    if (typeof body.csrfToken === 'string') sessionStorage.setItem('csrf', body.csrfToken);
    return { status: verified.status, body };
  });

const me = (page: PasskeyPage['page']) =>
  page.evaluate(
    async (): Promise<
      Answer<{ user?: { email: string }; authentication?: { amr: string[]; acr: string } }>
    > => {
      const response = await fetch('/auth/me');
      return { status: response.status, body: (await response.json()) as Json };
    },
  );

/** How many responses the server refused because their challenge was not (or no longer) one it issued. */
const challengeRefusals = () =>
  server.logs.filter((line) => line.includes('Custom challenge verifier returned false')).length;

const loginOptions = async () =>
  (
    await new Client(server.url).post<{ options: { challenge: string } }>(
      '/auth/passkeys/login/options',
    )
  ).body.options;

const signOut = async (page: PasskeyPage['page']) => {
  await page.context().clearCookies();
  expect((await me(page)).status).toBe(401);
};

const storedPasskey = (email: string) =>
  server.core.store.db
    .selectFrom('passkeys')
    .innerJoin('users', 'users.id', 'passkeys.user_id')
    .select(['passkeys.id', 'passkeys.counter', 'passkeys.last_used_at', 'passkeys.credential_id'])
    .where('users.email', '=', email)
    .executeTakeFirstOrThrow();

describe('passkeys in Chromium with a virtual authenticator', () => {
  it('registers a discoverable passkey and signs in with it alone, without an email, at aal2', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      const email = await newAccount(tab.page);
      const registered = await registerPasskey(tab.page, 'My laptop');
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      expect(registered.body.passkey).toMatchObject({
        name: 'My laptop',
        transports: ['internal'],
      });
      const { credentials } = await tab.cdp.send('WebAuthn.getCredentials', {
        authenticatorId: tab.authenticatorId,
      });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);

      await signOut(tab.page);
      const login = await passkeyLogin(tab.page);
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.body).toMatchObject({ user: { email } });
      expect(login.body.mfaRequired).toBeUndefined();
      const who = await me(tab.page);
      expect(who.body.user?.email).toBe(email);
      expect(who.body.authentication).toMatchObject({ amr: ['hwk', 'user'], acr: 'aal2' });
      expect((await storedPasskey(email)).last_used_at).not.toBeNull();
    } finally {
      await tab.close();
    }
  });

  it('is the second factor after a password: no session until the assertion, then pwd+hwk', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      await signOut(tab.page);
      const first = await passwordLogin(tab.page, email);
      expect(first.body).toMatchObject({ mfaRequired: true, methods: ['webauthn'] });
      expect((await me(tab.page)).status).toBe(401);
      const done = await tab.page.evaluate(async (challenge): Promise<Answer> => {
        const post = (url: string, body: unknown) =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const { options } = (await (
          await post('/auth/mfa/webauthn/options', { challenge })
        ).json()) as Json;
        const assertion = await window.SimpleWebAuthnBrowser.startAuthentication({
          optionsJSON: options,
        });
        const verified = await post('/auth/mfa/verify', {
          challenge,
          method: 'webauthn',
          assertion,
        });
        return { status: verified.status, body: (await verified.json()) as Json };
      }, String(first.body.challenge));
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect((await me(tab.page)).body.authentication).toMatchObject({
        amr: ['pwd', 'hwk', 'user'],
        acr: 'aal2',
      });
    } finally {
      await tab.close();
    }
  });

  it('without user verification a passkey alone is aal1, and the same passkey is not asked again', async () => {
    const tab = await openPasskeyPage(browser, origin, { userVerification: false });
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      // Chromium offers discoverable credentials only with user verification, so this client
      // names its credential (the server takes any passkey of the site either way).
      const { credential_id } = await storedPasskey(email);
      const options = {
        ...(await loginOptions()),
        allowCredentials: [{ id: credential_id, type: 'public-key' }],
      };
      const response = await assert(tab.page, options);
      const client = new Client(server.url);
      const login = await client.post('/auth/passkeys/login/verify', { response });
      expect(login.status, login.text).toBe(200);
      expect(login.body.mfaRequired).toBeUndefined();
      const who = await client.get<{ user: { email: string }; authentication: unknown }>(
        '/auth/me',
      );
      expect(who.body.user.email).toBe(email);
      expect(who.body.authentication).toMatchObject({ amr: ['hwk'], acr: 'aal1' });
    } finally {
      await tab.close();
    }
  });

  it('a passkey that signed in as the first factor cannot be the second one too', async () => {
    // A stolen security key without a PIN (no user verification) on an account with an app.
    const tab = await openPasskeyPage(browser, origin, { userVerification: false });
    try {
      const email = await newAccount(tab.page);
      const owner = new Client(server.url);
      const signedIn = await owner.post<{ csrfToken: string }>('/auth/login', {
        email,
        password: strongPassword,
      });
      owner.csrfToken = signedIn.body.csrfToken;
      await enrolTotp(server, owner);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const { credential_id } = await storedPasskey(email);
      const named = async () => ({
        ...(await loginOptions()),
        allowCredentials: [{ id: credential_id, type: 'public-key' }],
      });
      const attacker = new Client(server.url);
      const first = await attacker.post<{ challenge: string; methods: string[] }>(
        '/auth/passkeys/login/verify',
        { response: await assert(tab.page, await named()) },
      );
      expect(first.body).toMatchObject({ mfaRequired: true, methods: ['totp'] });
      const challenge = first.body.challenge;
      // No WebAuthn challenge for it, and no second use of the key with any other.
      const options = await attacker.post('/auth/mfa/webauthn/options', { challenge });
      expectProblem(options, 400, 'invalid_request');
      const again = await attacker.post('/auth/mfa/verify', {
        challenge,
        method: 'webauthn',
        assertion: await assert(tab.page, await named()),
      });
      expectProblem(again, 400, 'invalid_request');
      expect(again.headers.getSetCookie()).toEqual([]);
      expect((await attacker.get('/auth/me')).status).toBe(401);
    } finally {
      await tab.close();
    }
  });

  it('refuses a ceremony run on another origin (registration 400, sign-in 401)', async () => {
    const otherPort = await freePort();
    const other = await startTestServer({
      routes: passkeyPageRoutes,
      settings: { port: otherPort, publicUrl: `http://localhost:${otherPort}` },
    });
    const tab = await openPasskeyPage(browser, origin);
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const user = await signedInUser(server);
      const { options: creation } = (
        await user.client.post<{ options: unknown }>('/auth/passkeys/register/options')
      ).body;
      // Naming the passkey that is on record: the registration below adds a second one to this authenticator.
      const { credential_id } = await storedPasskey(email);
      const request = {
        ...(await loginOptions()),
        allowCredentials: [{ id: credential_id, type: 'public-key' }],
      };

      // The same tab, now on another origin (the RP ID localhost still fits it, so the browser signs).
      await tab.page.goto(`http://localhost:${otherPort}/test/passkeys`);
      const created = (await tab.page.evaluate(
        (optionsJSON) =>
          window.SimpleWebAuthnBrowser.startRegistration({
            optionsJSON,
          }),
        creation,
      )) as RegistrationResponseJSON;
      const registered = await user.client.post('/auth/passkeys/register/verify', {
        response: created,
      });
      expect(registered.status).toBe(400);
      expect(
        (await user.client.get<{ passkeys: unknown[] }>('/auth/passkeys')).body.passkeys,
      ).toEqual([]);

      const assertion = await assert(tab.page, request);
      expect(
        JSON.parse(Buffer.from(assertion.response.clientDataJSON, 'base64url').toString()).origin,
      ).toBe(`http://localhost:${otherPort}`);
      const signedIn = await new Client(server.url).post('/auth/passkeys/login/verify', {
        response: assertion,
      });
      expect(signedIn.status).toBe(401);
      expect(signedIn.headers.getSetCookie()).toEqual([]);
      // Refused for the origin (not by luck), and the log line keeps no value it saw.
      const logs = server.logs.join('');
      expect(logs).toMatch(/Unexpected registration response origin/);
      expect(logs).toMatch(/Unexpected authentication response origin/);
      expect(logs).not.toContain(`localhost:${otherPort}"`);
      expect((await storedPasskey(email)).last_used_at).toBeNull();
    } finally {
      await tab.close();
      await other.stop();
    }
  });

  it('uses a challenge once: of 10 signed answers to one challenge, exactly one signs in', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const options = await loginOptions();
      const refusedBefore = challengeRefusals();
      const answers: AuthenticationResponseJSON[] = [];
      for (let i = 0; i < 10; i++) answers.push(await assert(tab.page, options));
      const results = await Promise.all(
        answers.map((response) =>
          new Client(server.url).post('/auth/passkeys/login/verify', { response }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(401)]);
      // And once more, later: still used.
      const again = await new Client(server.url).post('/auth/passkeys/login/verify', {
        response: answers[0],
      });
      expect(again.status).toBe(401);
      expect(challengeRefusals() - refusedBefore).toBe(10);
    } finally {
      await tab.close();
    }
  });

  it('refuses a challenge older than 5 minutes', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const options = await loginOptions();
      const response = await assert(tab.page, options);
      server.clock.advance(5 * 60_000 + 1000);
      try {
        const refusedBefore = challengeRefusals();
        const late = await new Client(server.url).post('/auth/passkeys/login/verify', { response });
        expect(late.status).toBe(401);
        expect(challengeRefusals() - refusedBefore).toBe(1);
      } finally {
        server.clock.advance(-(5 * 60_000 + 1000));
      }
      const fresh = await assert(tab.page, await loginOptions());
      expect(
        (await new Client(server.url).post('/auth/passkeys/login/verify', { response: fresh }))
          .status,
      ).toBe(200);
    } finally {
      await tab.close();
    }
  });

  it('refuses a cloned authenticator whose counter went backwards, and audits it', async () => {
    const tab = await openPasskeyPage(browser, origin);
    const { cdp, authenticatorId } = tab;
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
        .credentials;
      if (!credential) throw new Error('no credential');
      const setCount = async (signCount: number) => {
        await cdp.send('WebAuthn.removeCredential', {
          authenticatorId,
          credentialId: credential.credentialId,
        });
        await cdp.send('WebAuthn.addCredential', {
          authenticatorId,
          credential: { ...credential, signCount },
        });
      };
      await setCount(100);
      await signOut(tab.page);
      expect((await passkeyLogin(tab.page)).status).toBe(200);
      expect(Number((await storedPasskey(email)).counter)).toBeGreaterThan(100);

      await setCount(5);
      await signOut(tab.page);
      const cloned = await passkeyLogin(tab.page);
      expect(cloned.status).toBe(401);
      expect(Number((await storedPasskey(email)).counter)).toBeGreaterThan(100);
      const events = await server.core.store.db
        .selectFrom('audit_events')
        .select(['outcome', 'detail'])
        .where('type', '=', 'passkey_counter_regression')
        .where('user_id', '=', await userIdOf(email))
        .execute();
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]?.detail ?? '{}')).toMatchObject({ counter: 6 });
    } finally {
      await tab.close();
    }
  });

  it('re-authenticates a signed-in user through the webauthn factor, once per challenge', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const assertion = await tab.page.evaluate(async () => {
        const response = await fetch('/auth/passkeys/reauthenticate/options', {
          method: 'POST',
          headers: { 'x-csrf-token': sessionStorage.getItem('csrf') ?? '' },
        });
        const { options } = (await response.json()) as Json;
        return window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
      });
      const found = await findUserById(server.core.store.db, await userIdOf(email));
      if (!found) throw new Error('no user');
      const user = withoutSecret(found);
      const context = { meta: { ip: null, userAgent: 'test' } };
      const other = withoutSecret(
        (await findUserById(server.core.store.db, (await signedInUser(server)).userId)) ?? found,
      );
      expect(await webauthnFactor.verify(server.core, other, { assertion }, context)).toBeNull();
      expect(await webauthnFactor.verify(server.core, user, { assertion }, context)).toEqual([
        'hwk',
        'user',
      ]);
      expect(await webauthnFactor.verify(server.core, user, { assertion }, context)).toBeNull();
    } finally {
      await tab.close();
    }
  });
});

/** POST from the page with its session cookie and CSRF token; the answer's JSON. */
const postFromPage = (page: PasskeyPage['page'], url: string, body?: unknown) =>
  page.evaluate(
    async ({ url, body }): Promise<Answer> => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'x-csrf-token': sessionStorage.getItem('csrf') ?? '',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const json = (await response.json()) as Json;
      if (typeof json.csrfToken === 'string') sessionStorage.setItem('csrf', json.csrfToken);
      return { status: response.status, body: json };
    },
    { url, body },
  );

/** Adds an authenticator app from the page; the code is computed on the server's clock. */
async function enrolTotpFromPage(page: PasskeyPage['page']): Promise<string> {
  const setup = await postFromPage(page, '/auth/mfa/totp/setup');
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  const secret = String(setup.body.secret);
  const confirm = await postFromPage(page, '/auth/mfa/totp/confirm', {
    code: codeNow(server, secret),
  });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return secret;
}

describe('re-authentication and second factors around a passkey, from the page', () => {
  it('re-authenticates a password session with a passkey over HTTP: pwd+hwk+user, aal2, once', async () => {
    const tab = await openPasskeyPage(browser, origin);
    try {
      await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const before = await me(tab.page);
      expect(before.body.authentication).toMatchObject({ amr: ['pwd'], acr: 'aal1' });
      server.clock.advance(6 * 60_000);

      const { options } = (await postFromPage(tab.page, '/auth/passkeys/reauthenticate/options'))
        .body as { options: unknown };
      const assertion = await assert(tab.page, options);
      const renewed = await postFromPage(tab.page, '/auth/reauthenticate', {
        method: 'webauthn',
        assertion,
      });
      expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
      const authentication = renewed.body.authentication as { authTime: string };
      expect(authentication).toMatchObject({ amr: ['pwd', 'hwk', 'user'], acr: 'aal2' });
      expect(Date.parse(authentication.authTime)).toBe(server.clock.now());
      // The browser holds the rotated cookie, and the session says the same.
      expect((await me(tab.page)).body.authentication).toMatchObject({
        amr: ['pwd', 'hwk', 'user'],
        acr: 'aal2',
      });
      // The signed answer is spent with its challenge: sent again, it renews nothing.
      const replay = await postFromPage(tab.page, '/auth/reauthenticate', {
        method: 'webauthn',
        assertion,
      });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('invalid_code');
    } finally {
      await tab.close();
    }
  });

  it('a passkey without user verification on a TOTP account yields the challenge; TOTP completes it at aal2', async () => {
    const tab = await openPasskeyPage(browser, origin, { userVerification: false });
    try {
      const email = await newAccount(tab.page);
      expect((await registerPasskey(tab.page)).status).toBe(201);
      const secret = await enrolTotpFromPage(tab.page);
      await signOut(tab.page);

      // As above, this authenticator's credential is named (no discoverable sign-in without UV).
      const { credential_id } = await storedPasskey(email);
      const options = {
        ...(await loginOptions()),
        allowCredentials: [{ id: credential_id, type: 'public-key' }],
      };
      const response = await assert(tab.page, options);
      const first = await postFromPage(tab.page, '/auth/passkeys/login/verify', { response });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      // The passkey just used cannot count again as the second factor.
      expect(first.body).toMatchObject({ mfaRequired: true, methods: ['totp'] });
      expect(Object.keys(first.body).sort()).toEqual([
        'challenge',
        'expiresIn',
        'methods',
        'mfaRequired',
      ]);
      expect((await me(tab.page)).status).toBe(401);
      const challenge = String(first.body.challenge);
      // Nor does any route take this challenge for a session (the sweep of the HTTP suite).
      expect(await callsNotRefused(server.url, [challenge])).toEqual([]);
      // The passkey is not a way to finish it either: its challenge gets no webauthn options.
      const again = await new Client(server.url).post('/auth/mfa/webauthn/options', { challenge });
      expectProblem(again, 400, 'invalid_request');
      expect((await me(tab.page)).status).toBe(401);

      const done = await postFromPage(tab.page, '/auth/mfa/verify', {
        challenge,
        method: 'totp',
        code: nextCode(server, secret),
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect((await me(tab.page)).body.authentication).toMatchObject({
        amr: ['hwk', 'otp'],
        acr: 'aal2',
      });
    } finally {
      await tab.close();
    }
  });
});

async function userIdOf(email: string): Promise<string> {
  const row = await server.core.store.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}
