import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { type MfaRequired, nextCode, passwordStep, totpUser } from '../helpers/mfa.js';
import { callsNotRefused, protectedRoutes } from '../helpers/no-session-sweep.js';
import { mailedToken } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, textedCode, uniquePhone } from '../helpers/sms.js';
import { tokenUser } from '../helpers/tokens.js';

/**
 * The attack sweep: a first step on an account with a second factor hands
 * out a challenge and nothing else, and no route that needs a caller takes
 * that challenge (or nothing at all) for one, however it is presented.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(() => server.stop());

/** A first step's answer on an account with a second factor: the challenge, no cookie, no token. */
function expectChallengeOnly(response: Response<MfaRequired>): string {
  expect(response.status, response.text).toBe(200);
  expect(Object.keys(response.body).sort()).toEqual([
    'challenge',
    'expiresIn',
    'methods',
    'mfaRequired',
  ]);
  expect(response.headers.getSetCookie()).toEqual([]);
  return response.body.challenge;
}

/** Every string the answer held, the challenge first. */
const valuesOf = (response: Response<MfaRequired>): string[] => [
  response.body.challenge,
  ...Object.values(response.body).filter(
    (value): value is string => typeof value === 'string' && value !== response.body.challenge,
  ),
];

const verify = (challenge: string, method: string, code: string) =>
  new Client(server.url).post('/auth/mfa/verify', { challenge, method, code });

describe('no route gives a full session before the second factor', () => {
  it('lists the protected routes it sweeps: every one of them needs a caller', async () => {
    const routes = await protectedRoutes(server.url);
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /auth/me',
      'GET /auth/sessions',
      'POST /auth/reauthenticate',
      'POST /auth/mfa/totp/setup',
      'POST /auth/mfa/recovery-codes',
      'POST /auth/api-keys',
      'GET /admin/users',
    ])
      expect(names).toContain(expected);
    // Nothing at all is refused everywhere: the sweep's baseline.
    expect(await callsNotRefused(server.url, [''])).toEqual([]);
    // And the sweep does see a credential that works: a real access token gets past every 401.
    const real = await tokenUser(server);
    const missed = await callsNotRefused(server.url, [real.accessToken]);
    expect(missed.filter((line) => line.includes('(bearer)'))).toHaveLength(routes.length);
  });

  it('a password step on a TOTP account: the challenge opens nothing, and still completes after', async () => {
    const user = await totpUser(server);
    const { client, response } = await passwordStep(server, user.email, user.password);
    const challenge = expectChallengeOnly(response);
    expect(client.cookies.size).toBe(0);
    expect(await callsNotRefused(server.url, valuesOf(response))).toEqual([]);
    // Nor is it a refresh token.
    expectProblem(
      await new Client(server.url).post('/auth/refresh', { refreshToken: challenge }),
      401,
    );
    // The sweep spent none of its attempts: it is a live challenge, and the code completes it.
    const done = await verify(challenge, 'totp', nextCode(server, user.secret));
    expect(done.status, done.text).toBe(200);
  });

  it('a magic-link step on a TOTP account: neither the link nor the challenge opens anything', async () => {
    const user = await totpUser(server);
    expect(
      (await new Client(server.url).post('/auth/magic-link', { email: user.email })).status,
    ).toBe(202);
    const token = await mailedToken(server, user.email, /sign-in link/);
    const client = new Client(server.url);
    const response = await client.post<MfaRequired>('/auth/magic-link/verify', { token });
    const challenge = expectChallengeOnly(response);
    expect(client.cookies.size).toBe(0);
    expect(await callsNotRefused(server.url, [...valuesOf(response), token])).toEqual([]);
    const done = await verify(challenge, 'totp', nextCode(server, user.secret));
    expect(done.status, done.text).toBe(200);
  });

  it('a password step on an SMS-only account (no passkey, no app): the same', async () => {
    const user = await signedInUser(server);
    const phone = uniquePhone();
    await enrolSms(server, user.client, phone);
    const { response } = await passwordStep(server, user.email, user.password);
    expect(response.body.methods).toEqual(['sms']);
    const challenge = expectChallengeOnly(response);
    expect(await callsNotRefused(server.url, valuesOf(response))).toEqual([]);
    const sent = await new Client(server.url).post('/auth/mfa/sms/send', { challenge });
    expect(sent.status, sent.text).toBe(202);
    const done = await verify(challenge, 'sms', await textedCode(server, phone));
    expect(done.status, done.text).toBe(200);
  });
});
