/**
 * examples/connect-an-app, as README runs it: Gatehouse on one origin, the
 * example app on another, registered as a client; a browser (one cookie jar
 * per origin) signs in at the app through Gatehouse and signs out again.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../../examples/connect-an-app/app.js';
import { register } from '../../../src/authn/account/registration.js';
import { createClient } from '../../../src/provider/clients.js';
import { strongPassword, uniqueEmail } from '../../helpers/accounts.js';
import { Client } from '../../helpers/client.js';
import { openPage } from '../../helpers/pages.js';
import { authorizeInBrowser, follow, newBrowser } from '../../helpers/relying-party.js';
import { freePort, startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let app: { url: string; server: Server };

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  const appUrl = `http://localhost:${await freePort()}`;
  // What `gatehouse clients create` does, with the URIs README gives.
  const client = await createClient(server.core, {
    name: 'Example app',
    redirectUris: [`${appUrl}/callback`],
    postLogoutRedirectUris: [`${appUrl}/`],
    scope: 'openid email profile roles',
  });
  app = await startApp({
    issuer: server.core.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret ?? '',
    appUrl,
  });
});
afterAll(async () => {
  await new Promise((resolve) => app?.server.close(resolve));
  await server.stop();
});

const pathOf = (url: URL) => `${url.pathname}${url.search}`;

describe('the example app (examples/connect-an-app)', () => {
  it('signs a user in through Gatehouse, shows their email and roles, and signs out at both', async () => {
    const email = uniqueEmail('example');
    await register(
      server.core,
      { email, password: strongPassword, roles: ['admin'] },
      { ip: null, userAgent: 'test' },
    );
    const atApp = new Client(app.url);
    const atGatehouse = newBrowser(server);

    const before = await openPage(atApp, '/');
    expect(before.text).toContain('<a href="/login">Sign in</a>');

    const login = await openPage(atApp, '/login');
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.origin).toBe(new URL(server.core.issuer).origin);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    const back = await authorizeInBrowser(atGatehouse, authorize, {
      email,
      password: strongPassword,
    });
    expect(back.origin).toBe(app.url);
    expect(back.pathname).toBe('/callback');
    const callback = await openPage(atApp, pathOf(back));
    expect(callback.status, callback.text).toBe(302);
    expect(callback.headers.get('location')).toBe('/');

    const home = await openPage(atApp, '/');
    expect(home.text).toContain(`<strong data-email>${email}</strong>`);
    expect(home.text).toContain('<span data-roles>admin</span>');
    // A code is redeemed once: the same callback again signs no one in.
    expect((await openPage(new Client(app.url), pathOf(back))).status).toBe(400);

    const logout = await openPage(atApp, '/logout');
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.headers.get('location') ?? '');
    expect(endSession.origin).toBe(new URL(server.core.issuer).origin);
    expect((await openPage(atApp, '/')).text).toContain('Sign in');

    // Gatehouse asks before it signs the person out; confirming ends its session too.
    const asked = await follow(atGatehouse, pathOf(endSession));
    const form = asked.page?.text ?? '';
    const action = /<form[^>]*id="op\.logoutForm"[^>]*action="([^"]+)"/.exec(form)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1];
    expect(action, form.slice(0, 500)).toBeTruthy();
    const confirmed = await atGatehouse.request(
      'POST',
      new URL(action ?? '', server.url).pathname,
      {
        body: new URLSearchParams({ xsrf: xsrf ?? '', logout: 'yes' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        withoutCsrf: true,
        manualRedirect: true,
      },
    );
    expect(confirmed.status).toBe(303);
    const signedOut = new URL(confirmed.headers.get('location') ?? '', server.url);
    expect(signedOut.href).toBe(`${app.url}/`);
    expect((await atGatehouse.get('/auth/me')).status).toBe(401);
  });
});
