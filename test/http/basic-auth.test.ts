import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWith, tokenUser } from '../helpers/tokens.js';

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const expectBasicChallenge = (response: { status: number; headers: Headers }) => {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/Basic realm="gatehouse"/);
};

describe('Basic auth over loopback', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('accepts a service account’s email and password', async () => {
    const svc = await registeredUser(server, { isService: true });
    const me = await meWith(server, { authorization: basic(svc.email, strongPassword) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: svc.id, via: 'basic' });
  });

  it('refuses a service account’s wrong password, and any non-service user', async () => {
    const svc = await registeredUser(server, { isService: true });
    expectBasicChallenge(
      await meWith(server, { authorization: basic(svc.email, 'wrong password!') }),
    );
    const person = await tokenUser(server);
    expectBasicChallenge(
      await meWith(server, { authorization: basic(person.email, person.password) }),
    );
    expectBasicChallenge(await meWith(server, { authorization: 'Basic !!!not-base64' }));
    expectBasicChallenge(await meWith(server, { authorization: basic('', 'x') }));
  });

  it('accepts apikey:<key> as Basic credentials', async () => {
    const owner = await tokenUser(server);
    const created = await owner.client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'basic',
    });
    const key = created.body.apiKey.key;
    const me = await meWith(server, { authorization: basic('apikey', key) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: owner.userId, via: 'api_key' });
    expectBasicChallenge(
      await meWith(server, { authorization: basic('apikey', `${key.slice(0, -1)}x`) }),
    );
  });

  it('401 answers name Basic in WWW-Authenticate, with charset="UTF-8" (RFC 7617)', async () => {
    const anonymous = await new Client(server.url).get('/auth/me');
    expectBasicChallenge(anonymous);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", Basic realm="gatehouse", charset="UTF-8"',
    );
  });
});

describe('Basic auth over plain HTTP from a non-loopback address', () => {
  const remote = { 'x-forwarded-for': '203.0.113.9' };

  it('is refused by default, even with good credentials', async () => {
    const server = await startTestServer({ settings: { trustProxy: true } });
    try {
      const svc = await registeredUser(server, { isService: true });
      const authorization = basic(svc.email, strongPassword);
      expectBasicChallenge(await meWith(server, { ...remote, authorization }));
      // The same credentials over TLS (as the trusted proxy reports it) are fine.
      const overTls = await meWith(server, {
        ...remote,
        'x-forwarded-proto': 'https',
        authorization,
      });
      expect(overTls.status).toBe(200);
      // A Bearer access token is not affected.
      const user = await tokenUser(server);
      const bearer = await meWith(server, {
        ...remote,
        authorization: `Bearer ${user.accessToken}`,
      });
      expect(bearer.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('is accepted with allowInsecureBasicOverHttp, which logs a warning', async () => {
    const server = await startTestServer({
      settings: { trustProxy: true, allowInsecureBasicOverHttp: true },
    });
    try {
      const svc = await registeredUser(server, { isService: true });
      const me = await meWith(server, {
        ...remote,
        authorization: basic(svc.email, strongPassword),
      });
      expect(me.status).toBe(200);
      expect(me.body.user.via).toBe('basic');
      const warning = server.logs
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .find((entry) => /allowInsecureBasicOverHttp/.test(entry.msg));
      expect(warning).toBeDefined();
      expect(warning?.level).toBe(40);
    } finally {
      await server.stop();
    }
  });
});
