/**
 * What an app can ask of the sign-in: `prompt=login` (a fresh one),
 * `max_age` (one no older than that), `acr_values=aal2` (a second factor).
 * Gatehouse answers on its re-authentication page and the ID token tells
 * the app what it got (`auth_time`, `acr`, `amr`).
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../helpers/accounts.js';
import type { Client } from '../../helpers/client.js';
import { codeNow, totpUser } from '../../helpers/mfa.js';
import { openPage, submitForm } from '../../helpers/pages.js';
import {
  APP_CALLBACK,
  follow,
  pathOf,
  redeem,
  relyingParty,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
});
afterAll(() => server.stop());

const atApp = (url: URL | null) => (url ? `${url.origin}${url.pathname}` : null);

/** Makes the user's sign-in `ms` older than it is, as if it had happened back then. */
async function signedInAgo(userId: string, ms: number): Promise<number> {
  const { db } = server.core.store;
  await db
    .updateTable('sessions')
    .set((eb) => ({ auth_time: eb('auth_time', '-', ms) }))
    .where('user_id', '=', userId)
    .execute();
  const row = await db
    .selectFrom('sessions')
    .select('auth_time')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Math.floor(row.auth_time / 1000);
}

/** Answers the re-authentication page the flow stopped at, and follows on. */
async function reauthenticate(browser: Client, reauthPath: string, fields: Record<string, string>) {
  const returnTo = new URL(reauthPath, server.url).searchParams.get('return_to') ?? '';
  const answer = await submitForm(
    browser,
    '/reauthenticate',
    { ...fields, return_to: returnTo },
    { from: reauthPath },
  );
  expect(answer.status, answer.text.slice(0, 300)).toBe(303);
  return follow(browser, answer.headers.get('location') ?? '');
}

describe('prompt=login and max_age', () => {
  it('select_account does not stand in for prompt=login or max_age (nor does a hand-added ?signed_in=1)', async () => {
    const someone = await signedInUser(server);
    await signedInAgo(someone.userId, 120_000);
    const rp = await relyingParty(server, { trusted: true });
    for (const params of <Record<string, string>[]>[
      { prompt: 'select_account login' },
      { prompt: 'select_account', max_age: '60' },
    ]) {
      const started = await startAuthorization(rp, params);
      const at = await follow(someone.client, pathOf(started.url));
      expect(at.path, JSON.stringify(params)).toMatch(/^\/reauthenticate\?return_to=/);
      const interaction = new URL(at.path, server.url).searchParams.get('return_to') ?? '';
      const marked = await follow(someone.client, interaction);
      expect(marked.path).toMatch(/^\/reauthenticate\?/);
      expect(marked.leftTo).toBeNull();
    }
  });

  it('prompt=login goes through /reauthenticate; the ID token’s auth_time is the new sign-in', async () => {
    const someone = await signedInUser(server);
    const before = await signedInAgo(someone.userId, 120_000);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { prompt: 'login' });
    const at = await follow(someone.client, pathOf(started.url));
    expect(at.path).toMatch(/^\/reauthenticate\?return_to=%2Fauthorize%2F/);
    expect((await openPage(someone.client, at.path)).text).toContain('id="reauth-password"');
    const back = await reauthenticate(someone.client, at.path, {
      method: 'password',
      password: someone.password,
    });
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    const claims = (await redeem(rp, back.leftTo as URL, started)).claims();
    expect(claims?.sub).toBe(someone.userId);
    expect(Number(claims?.auth_time)).toBeGreaterThan(before);
    expect(Number(claims?.auth_time)).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
  });

  it('prompt=login asks again even when the app’s previous flow just signed the user in', async () => {
    const someone = await signedInUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const first = await startAuthorization(rp);
    expect(atApp((await follow(someone.client, pathOf(first.url))).leftTo)).toBe(APP_CALLBACK);
    await signedInAgo(someone.userId, 60_000);
    const again = await startAuthorization(rp, { prompt: 'login' });
    expect((await follow(someone.client, pathOf(again.url))).path).toMatch(/^\/reauthenticate/);
  });

  it('max_age older than the sign-in: /reauthenticate first; a recent enough one goes straight on', async () => {
    const someone = await signedInUser(server);
    const before = await signedInAgo(someone.userId, 120_000);
    const rp = await relyingParty(server, { trusted: true });

    const lenient = await startAuthorization(rp, { max_age: '600' });
    const straight = await follow(someone.client, pathOf(lenient.url));
    expect(atApp(straight.leftTo)).toBe(APP_CALLBACK);
    const old = (await redeem(rp, straight.leftTo as URL, lenient)).claims();
    expect(old?.auth_time).toBe(before);

    const strict = await startAuthorization(rp, { max_age: '60' });
    const at = await follow(someone.client, pathOf(strict.url));
    expect(at.path).toMatch(/^\/reauthenticate/);
    const back = await reauthenticate(someone.client, at.path, {
      method: 'password',
      password: someone.password,
    });
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    const fresh = (
      await oidc.authorizationCodeGrant(rp.config, back.leftTo as URL, {
        pkceCodeVerifier: strict.verifier,
        expectedState: strict.state,
        expectedNonce: strict.nonce,
        maxAge: 60,
      })
    ).claims();
    expect(Number(fresh?.auth_time)).toBeGreaterThan(before);
  });
  it('max_age=0 right after a sign-in: a re-authentication all the same, once, then on to the app', async () => {
    // Signed in a moment ago, most likely in the same second as the request.
    const someone = await signedInUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { max_age: '0' });
    const at = await follow(someone.client, pathOf(started.url));
    expect(at.path).toMatch(/^\/reauthenticate/);
    const back = await reauthenticate(someone.client, at.path, {
      method: 'password',
      password: someone.password,
    });
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, back.leftTo as URL, started)).claims()?.sub).toBe(someone.userId);
  });
});

describe('acr_values=aal2', () => {
  it('a TOTP user signed in with a password only proves the second factor; the ID token says aal2 and otp', async () => {
    const someone = await totpUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { acr_values: 'aal2' });
    const at = await follow(someone.client, pathOf(started.url));
    expect(at.path).toMatch(/^\/reauthenticate/);
    // Only the second factor is offered: a password would leave the session at aal1.
    const page = await openPage(someone.client, at.path);
    expect(page.text).toContain('id="reauth-code"');
    expect(page.text).not.toContain('id="reauth-password"');
    expect(page.text).toContain('asks for your second factor');
    const back = await reauthenticate(someone.client, at.path, {
      method: 'totp',
      // The step after the one enrolment used: a step once accepted is refused after.
      code: codeNow(server, someone.secret, 1),
    });
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    const claims = (await redeem(rp, back.leftTo as URL, started)).claims();
    expect(claims?.acr).toBe('aal2');
    expect(claims?.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
  });

  it('an aal2 session is not asked again', async () => {
    const someone = await totpUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const first = await startAuthorization(rp, { acr_values: 'aal2' });
    const at = await follow(someone.client, pathOf(first.url));
    await reauthenticate(someone.client, at.path, {
      method: 'totp',
      code: codeNow(server, someone.secret, 1),
    });
    const again = await startAuthorization(rp, { acr_values: 'aal2' });
    const straight = await follow(someone.client, pathOf(again.url));
    expect(atApp(straight.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, straight.leftTo as URL, again)).claims()?.acr).toBe('aal2');
  });

  it('a user with no second factor: unmet_authentication_requirements back at the app, with its state', async () => {
    const someone = await signedInUser(server);
    const rp = await relyingParty(server, { trusted: true });
    const started = await startAuthorization(rp, { acr_values: 'aal2' });
    const at = await follow(someone.client, pathOf(started.url));
    expect(atApp(at.leftTo)).toBe(APP_CALLBACK);
    expect(at.leftTo?.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(at.leftTo?.searchParams.get('state')).toBe(started.state);
    expect(at.leftTo?.searchParams.get('code')).toBeNull();
    await expect(redeem(rp, at.leftTo as URL, started)).rejects.toMatchObject({
      error: 'unmet_authentication_requirements',
    });
  });
});
