import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { resourceServerAccount, type ServiceAccount } from '../helpers/revocation-stream.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tokenUser } from '../helpers/tokens.js';

let server: TestServer;
let account: ServiceAccount;

const introspect = async (
  token: unknown,
  options: { form?: boolean; authorization?: string; extra?: Record<string, string> } = {},
) => {
  const authorization = options.authorization ?? account.authorization;
  const body =
    options.form === false
      ? JSON.stringify({ token, ...options.extra })
      : new URLSearchParams({ token: String(token), ...options.extra }).toString();
  const response = await fetch(`${server.url}/auth/introspect`, {
    method: 'POST',
    headers: {
      authorization,
      'content-type':
        options.form === false ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  // Sessions end by idle timeout before their access tokens expire: an ended session shows.
  server = await startTestServer({
    settings: { session: { idleTimeoutSeconds: 60 }, tokens: { accessTokenLifetimeSeconds: 600 } },
  });
  account = await resourceServerAccount(server);
});
afterAll(async () => server.stop());

describe('POST /auth/introspect (RFC 7662)', () => {
  it('describes a live access token, from a form or from JSON', async () => {
    const user = await tokenUser(server);
    const claims = JSON.parse(
      Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    for (const form of [true, false]) {
      const answer = await introspect(user.accessToken, {
        form,
        extra: { token_type_hint: 'access_token' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        active: true,
        token_type: 'access_token',
        sub: user.userId,
        iss: server.core.issuer,
        aud: server.core.settings.tokens.audience,
        sid: claims.sid,
        exp: claims.exp,
        iat: claims.iat,
      });
      expect(answer.body).not.toHaveProperty('client_id');
    }
  });

  it('is inactive after logout, a ban, an ended session, and for anything that is not an access token', async () => {
    const admin = await signedInUser(server, { roles: ['admin'] });
    const loggedOut = await tokenUser(server);
    expect((await loggedOut.client.post('/auth/logout')).status).toBe(204);
    const banned = await tokenUser(server);
    expect((await admin.client.post(`/admin/users/${banned.userId}/ban`, {})).status).toBe(200);
    const idle = await tokenUser(server, { delivery: 'body' });
    const tampered = `${idle.accessToken.slice(0, -4)}AAAA`;
    for (const token of [
      loggedOut.accessToken,
      banned.accessToken,
      idle.refreshToken,
      tampered,
      'garbage',
      '',
      'a.b.c',
      'x'.repeat(8000),
    ]) {
      const answer = await introspect(token);
      expect(answer, token.slice(0, 20)).toEqual({ status: 200, body: { active: false } });
    }
    // The session ends by idle timeout: the token's signature and exp are still fine.
    const live = await tokenUser(server);
    expect((await introspect(live.accessToken)).body.active).toBe(true);
    server.clock.advance(61_000);
    expect((await introspect(live.accessToken)).body).toEqual({ active: false });
  });

  it('answers only a service account holding revocations:read', async () => {
    const user = await tokenUser(server);
    const anonymous = await fetch(`${server.url}/auth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${user.accessToken}`,
    });
    expect(anonymous.status).toBe(401);
    const plain = await resourceServerAccount(server, []);
    for (const authorization of [`Bearer ${user.accessToken}`, plain.authorization]) {
      expect((await introspect(user.accessToken, { authorization })).status).toBe(403);
    }
  });

  it('is a 400 without a token, never a 500 on garbage', async () => {
    const missing = await fetch(`${server.url}/auth/introspect`, {
      method: 'POST',
      headers: {
        authorization: account.authorization,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'token_type_hint=access_token',
    });
    expect(missing.status).toBe(400);
    for (const body of ['token=%00', 'token=a&token=b', '%%%', `token=${'x'.repeat(9000)}`]) {
      const response = await fetch(`${server.url}/auth/introspect`, {
        method: 'POST',
        headers: {
          authorization: account.authorization,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      expect(response.status, body.slice(0, 20)).toBeGreaterThanOrEqual(200);
      expect(response.status, body.slice(0, 20)).toBeLessThan(500);
    }
    const json = await introspect({ nested: true }, { form: false });
    expect(json.status).toBe(400);
  });

  it('keeps refusing forms everywhere else in the API', async () => {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40example.com&password=x',
    });
    expect(response.status).toBe(415);
  });
});
