import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFactors } from '../../src/authn/mfa/list-factors.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { codeNow, enrolTotp, nextCode } from '../helpers/mfa.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Past the recent-login window (10 minutes by default) of every session signed in before. */
const grow = () => server.clock.advance(11 * 60 * 1000);
const SESSION = '__Host-gh_session';

describe('actions that demand a recent sign-in', () => {
  it('send a stale session to the step-up page first, and change nothing', async () => {
    const { client, email, password, userId } = await signedInUser(server);
    const passkey = await insertTestPasskey(server, userId);
    const csrf = csrfFieldOf((await openPage(client, '/account/security')).text);
    grow();
    const page = await openPage(client, '/account/password');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/reauthenticate?return_to=%2Faccount%2Fpassword');
    const posts: [string, Record<string, string>][] = [
      [
        '/account/password',
        { currentPassword: password, newPassword: 'a new long passphrase 123' },
      ],
      ['/account/api-keys', { name: 'late key' }],
      ['/account/totp/setup', {}],
      ['/account/recovery-codes', {}],
      [`/account/passkeys/${passkey.id}/remove`, {}],
    ];
    for (const [path, fields] of posts) {
      const answer = await submitForm(client, path, fields, { csrf });
      expect(answer.status, path).toBe(303);
      expect(answer.headers.get('location'), path).toMatch(/^\/reauthenticate/);
    }
    expect((await new Client(server.url).post('/auth/login', { email, password })).status).toBe(
      200,
    );
    expect((await client.get<{ apiKeys: unknown[] }>('/auth/api-keys')).body.apiKeys).toEqual([]);
    expect(
      (await client.get<{ passkeys: unknown[] }>('/auth/passkeys')).body.passkeys,
    ).toHaveLength(1);
  });

  it('come back after the password step-up, under a new session cookie', async () => {
    const { client, password } = await signedInUser(server);
    grow();
    const form = await openPage(client, '/reauthenticate?return_to=%2Faccount%2Fpassword');
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="/account/password"');
    expect(form.text).not.toContain('action="/reauthenticate" id="reauth-code"');
    const before = client.cookies.get(SESSION);
    const done = await submitForm(
      client,
      '/reauthenticate',
      { method: 'password', password, return_to: '/account/password' },
      { from: '/reauthenticate' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/password');
    expect(client.cookies.get(SESSION)).not.toBe(before);
    expect((await openPage(client, '/account/password')).status).toBe(200);
  });

  it('come back after a TOTP step-up; the page offers the code and passkey ways the account has', async () => {
    const { client, userId } = await signedInUser(server);
    const { secret } = await enrolTotp(server, client);
    await insertTestPasskey(server, userId);
    grow();
    const form = await openPage(client, '/reauthenticate?return_to=%2Faccount%2Fapi-keys');
    expect(form.text).toContain('id="reauth-code"');
    expect(form.text).toContain('data-passkey-reauth');
    expect(form.text).toMatch(/src="\/assets\/passkey-reauthenticate-[A-Z0-9]+\.js"/);
    const done = await submitForm(
      client,
      '/reauthenticate',
      { method: 'totp', code: nextCode(server, secret), return_to: '/account/api-keys' },
      { from: '/reauthenticate' },
    );
    expect(done.headers.get('location')).toBe('/account/api-keys');
    const created = await submitForm(client, '/account/api-keys', { name: 'fresh' });
    expect(created.status).toBe(200);
  });
});

describe('the step-up page', () => {
  it('shows a wrong password or code on the form, and stays stale', async () => {
    const { client } = await signedInUser(server);
    const { secret } = await enrolTotp(server, client);
    grow();
    const wrong = await submitForm(
      client,
      '/reauthenticate',
      { method: 'password', password: 'not the password' },
      { from: '/reauthenticate' },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The password is not right.');
    expect(wrong.text).not.toContain('not the password');
    const badCode = await submitForm(
      client,
      '/reauthenticate',
      { method: 'totp', code: codeNow(server, secret) === '123456' ? '654321' : '123456' },
      { from: '/reauthenticate' },
    );
    expect(badCode.status).toBe(401);
    expect(badCode.text).toContain('The code is not right.');
    const badMethod = await submitForm(
      client,
      '/reauthenticate',
      { method: 'sms', code: '1' },
      { from: '/reauthenticate' },
    );
    expect(badMethod.status).toBe(400);
    expect((await openPage(client, '/account/password')).status).toBe(303);
  });

  it('refuses a post without the CSRF field', async () => {
    const { client, password } = await signedInUser(server);
    grow();
    const denied = await submitForm(
      client,
      '/reauthenticate',
      { method: 'password', password },
      { csrf: null },
    );
    expect(denied.status).toBe(403);
    expect((await openPage(client, '/account/password')).status).toBe(303);
  });

  it('goes back only to a path on this site', async () => {
    const { client, password } = await signedInUser(server);
    for (const evil of [
      '//evil.example/x',
      'https://evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const done = await submitForm(
        client,
        '/reauthenticate',
        { method: 'password', password, return_to: evil },
        { from: '/reauthenticate' },
      );
      expect(done.headers.get('location'), evil).toBe('/account');
    }
  });

  it('is for signed-in people only', async () => {
    const visitor = await openPage(
      new Client(server.url),
      '/reauthenticate?return_to=%2Faccount%2Fpassword',
    );
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toMatch(/^\/login\?return_to=/);
  });
});

describe('a recovery code on the step-up page', () => {
  it('is used once: of 10 parallel posts of it, one steps up', async () => {
    const { client, userId } = await signedInUser(server);
    await enrolTotp(server, client);
    const generated = await client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    const code = generated.body.codes[0] ?? '';
    grow();
    const csrf = csrfFieldOf((await openPage(client, '/reauthenticate')).text);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        submitForm(client, '/reauthenticate', { method: 'recovery_code', code }, { csrf }),
      ),
    );
    // The others are refused: the code is spent, or their cookie died with the winner's new one (→ /login).
    expect(answers.filter((a) => a.headers.get('location') === '/account')).toHaveLength(1);
    for (const answer of answers) expect([303, 401]).toContain(answer.status);
    expect((await listFactors(server.core, userId)).recoveryCodesRemaining).toBe(9);
  });
});
