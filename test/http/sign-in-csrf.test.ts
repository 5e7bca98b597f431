// Every unsafe route issue 8 added, called with the session cookie but without
// the session's CSRF token (what a cross-site form can do): 403 csrf_failed,
// and nothing changed: no factor, no rotated cookie, no renewed login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { nextCode, totpUser } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ORIGIN = 'http://localhost:3999';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { publicUrl: ORIGIN, sms: { enabled: true } } });
});
afterAll(() => server.stop());

const ID = '4a9d2c1e-0000-4000-8000-000000000000';
const unsafe: Array<[method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown]> = [
  ['POST', '/auth/reauthenticate', { method: 'password', password: 'x'.repeat(12) }],
  ['POST', '/auth/mfa/totp/setup'],
  ['POST', '/auth/mfa/totp/confirm', { code: '123456' }],
  ['DELETE', `/auth/mfa/totp/${ID}`],
  ['POST', '/auth/mfa/recovery-codes'],
  ['POST', '/auth/passkeys/register/options'],
  ['POST', '/auth/passkeys/register/verify', { response: {} }],
  ['PATCH', `/auth/passkeys/${ID}`, { name: 'x' }],
  ['DELETE', `/auth/passkeys/${ID}`],
  ['POST', '/auth/passkeys/reauthenticate/options'],
  ['POST', '/auth/mfa/sms/setup', { phone: '+447700900123' }],
  ['POST', '/auth/mfa/sms/confirm', { code: '123456' }],
  ['DELETE', `/auth/mfa/sms/${ID}`],
];

describe('the new cookie-authenticated unsafe routes need the CSRF token', () => {
  it.each(unsafe)('%s %s', async (method, path, body) => {
    const { client } = await signedInUser(server);
    const answer = await client.request(method, path, {
      withoutCsrf: true,
      ...(body === undefined ? {} : { json: body }),
    });
    expectProblem(answer, 403, 'csrf_failed');
  });

  it('a forged re-authentication neither rotates the cookie nor renews the login', async () => {
    const { client, secret } = await totpUser(server);
    const before = await client.get<{ authentication: { authTime: string; amr: string[] } }>(
      '/auth/me',
    );
    server.clock.advance(60_000);
    const forged = await client.request('POST', '/auth/reauthenticate', {
      withoutCsrf: true,
      json: { method: 'totp', code: nextCode(server, secret) },
    });
    expectProblem(forged, 403, 'csrf_failed');
    expect(forged.headers.getSetCookie()).toEqual([]);
    const after = await client.get<{ authentication: { authTime: string; amr: string[] } }>(
      '/auth/me',
    );
    expect(after.status).toBe(200);
    expect(after.body.authentication).toEqual(before.body.authentication);
  });
});
