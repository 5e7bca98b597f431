import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-services.js';
import { API, machineParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The OpenID Provider on a private PostgreSQL that stops: what needs the
 * store answers 503 with Retry-After in RFC 6749's format
 * (`temporarily_unavailable`), never a 500 `server_error`; back up, it serves again.
 */
let database: PrivatePostgres;
let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  database = await startPrivatePostgres();
  server = await startTestServer({
    realClock: true,
    reachableIssuer: true,
    settings: {
      databaseUrl: database.url,
      provider: { resourceServers: [{ audience: API, scopes: ['posts:read'] }] },
    },
  });
  rp = await machineParty(server);
});

afterAll(async () => {
  await server?.stop();
  await database?.destroy();
});

const tokenRequest = () =>
  fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`,
    },
    body: `grant_type=client_credentials&scope=posts%3Aread&resource=${encodeURIComponent(API)}`,
  });

describe('the provider through a PostgreSQL outage', () => {
  it('answers 503 temporarily_unavailable while the store is down, and serves again after', async () => {
    expect((await tokenRequest()).status).toBe(200);
    await database.stop();
    try {
      const down = await tokenRequest();
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await down.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const page = await fetch(
        `${server.url}/oauth2/auth?client_id=${rp.clientId}&response_type=code&scope=openid`,
        { redirect: 'manual', headers: { accept: 'text/html' } },
      );
      expect(page.status).toBe(503);
    } finally {
      await database.start();
    }
    const granted = await oidc.clientCredentialsGrant(rp.config, {
      scope: 'posts:read',
      resource: API,
    });
    expect(granted.access_token).toEqual(expect.any(String));
  });
});
