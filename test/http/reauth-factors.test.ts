import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/cookies.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import {
  challengeFor,
  codeNow,
  enrolTotp,
  mailFor,
  nextCode,
  totpUser,
  wrongCode,
} from '../helpers/mfa.js';
import { mailedToken } from '../helpers/outbox.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, claimsOf, logIn } from '../helpers/tokens.js';

/**
 * POST /auth/reauthenticate with the real second factors: an authenticator
 * app, a recovery code, on a password and on a magic-link session.
 */
let server: TestServer;
beforeAll(async () => {
  // Room for the parallel tests' charges; the limits' own test starts a strict server.
  server = await startTestServer({ settings: { rateLimit: { loginPerAccount: 20 } } });
});
afterAll(() => server.stop());

const MINUTE = 60_000;

interface Reauthenticated extends Record<string, unknown> {
  csrfToken: string;
  accessToken: string;
  authentication: { amr: string[]; acr: string; authTime: string; restriction?: string };
}

type Me = Response<{
  authentication: { amr: string[]; acr: string; authTime: string };
}>;

const reauth = (client: Client, body: Record<string, unknown>, token?: string) =>
  client.post<Reauthenticated>('/auth/reauthenticate', body, token ? bearer(token) : {});
const me = (client: Client): Promise<Me> => client.get('/auth/me');
const generateCodes = async (client: Client) => {
  const answer = await client.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
  expect(answer.status, answer.text).toBe(201);
  return answer.body.codes;
};
const remaining = async (client: Client) =>
  (await client.get<{ recoveryCodesRemaining: number }>('/auth/mfa')).body.recoveryCodesRemaining;

/** The access token of a session (`client` signed in with its cookie), minted by a re-authentication-free refresh. */
const tokenOf = async (client: Client) => {
  const refreshed = await client.post<{ accessToken: string }>('/auth/refresh');
  expect(refreshed.status, refreshed.text).toBe(200);
  return refreshed.body.accessToken;
};

describe('re-authentication with an authenticator app', () => {
  it('renews the session in place: amr pwd+otp, aal2, a new authTime, and a token that says so', async () => {
    const user = await totpUser(server);
    const before = await me(user.client);
    expect(before.body.authentication).toMatchObject({ amr: ['pwd'], acr: 'aal1' });
    server.clock.advance(6 * MINUTE);

    const renewed = await reauth(user.client, {
      method: 'totp',
      code: codeNow(server, user.secret),
    });
    expect(renewed.status, renewed.text).toBe(200);
    const { authentication } = renewed.body;
    expect(authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect(Date.parse(authentication.authTime)).toBe(server.clock.now());
    expect(Date.parse(authentication.authTime)).toBeGreaterThan(
      Date.parse(before.body.authentication.authTime),
    );
    // The session itself holds it (read back with the rotated cookie) ...
    const after = await me(user.client);
    expect(after.status).toBe(200);
    expect(after.body.authentication).toMatchObject(authentication);
    // ... and so does the new access token (RFC 9068 §2.2.1).
    const claims = claimsOf(renewed.body.accessToken);
    expect(claims).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect(claims.auth_time).toBe(Math.floor(server.clock.now() / 1000));
    const viaToken: Me = await new Client(server.url).get(
      '/auth/me',
      bearer(renewed.body.accessToken),
    );
    expect(viaToken.body.authentication).toMatchObject({ acr: 'aal2' });
  });

  it('refuses a replayed code, and the code of the step before the one used', async () => {
    const user = await totpUser(server);
    const code = nextCode(server, user.secret);
    expect((await reauth(user.client, { method: 'totp', code })).status).toBe(200);
    const authTime = (await me(user.client)).body.authentication.authTime;
    server.clock.advance(1000);
    expectProblem(await reauth(user.client, { method: 'totp', code }), 401, 'invalid_code');
    // Still inside the ±1 step skew, but at or before the accepted step: replay too.
    const earlier = codeNow(server, user.secret, -1);
    if (earlier !== code)
      expectProblem(
        await reauth(user.client, { method: 'totp', code: earlier }),
        401,
        'invalid_code',
      );
    expect((await me(user.client)).body.authentication.authTime).toBe(authTime);
  });

  it('refuses a code too old for the skew window, and a wrong one; neither renews anything', async () => {
    const user = await totpUser(server);
    server.clock.advance(3 * 30_000);
    const stale = codeNow(server, user.secret, -2);
    const wrong = wrongCode(server, user.secret);
    for (const code of [stale, wrong].filter(
      (c) => ![-1, 0, 1].some((o) => codeNow(server, user.secret, o) === c),
    ))
      expectProblem(await reauth(user.client, { method: 'totp', code }), 401, 'invalid_code');
    expect((await me(user.client)).body.authentication).toMatchObject({ acr: 'aal1' });
    // The right code of the moment still works: the refusals used nothing up.
    expect(
      (await reauth(user.client, { method: 'totp', code: codeNow(server, user.secret) })).status,
    ).toBe(200);
  });

  it('refuses another user’s code', async () => {
    const alice = await totpUser(server);
    const bob = await totpUser(server);
    server.clock.advance(30_000);
    const bobs = codeNow(server, bob.secret);
    if (![-1, 0, 1].some((o) => codeNow(server, alice.secret, o) === bobs))
      expectProblem(
        await reauth(alice.client, { method: 'totp', code: bobs }),
        401,
        'invalid_code',
      );
    // Bob's code was not spent by Alice's try.
    expect((await reauth(bob.client, { method: 'totp', code: bobs })).status).toBe(200);
  });

  it('is not offered for SMS, which has no code to send for it: a 400, not a code that can never be right', async () => {
    const user = await totpUser(server);
    expectProblem(
      await reauth(user.client, { method: 'sms', code: '123456' }),
      400,
      'invalid_request',
    );
  });

  it('10 parallel re-authentications of one session with one code: exactly one 200', async () => {
    const user = await totpUser(server);
    const token = await tokenOf(user.client);
    const code = nextCode(server, user.secret);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        reauth(new Client(server.url), { method: 'totp', code }, token),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(401)]);
    for (const answer of answers.filter((a) => a.status !== 200))
      expectProblem(answer, 401, 'invalid_code');
  });

  it('one code across 10 sessions of the same account, in parallel: exactly one is renewed', async () => {
    const user = await signedInUser(server);
    // Sessions signed in before the app was added: each is a full aal1 session.
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () => logIn(server, user.email, user.password)),
    );
    const { secret } = await enrolTotp(server, user.client);
    const code = nextCode(server, secret);
    const answers = await Promise.all(
      sessions.map((session) => reauth(session.client, { method: 'totp', code })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(401)]);
    const acrs = await Promise.all(
      sessions.map(async (session) => (await me(session.client)).body.authentication.acr),
    );
    expect(acrs.sort()).toEqual([...Array(9).fill('aal1'), 'aal2']);
  });
});

describe('re-authentication with a recovery code', () => {
  async function userWithCodes() {
    const user = await totpUser(server);
    return { ...user, codes: await generateCodes(user.client) };
  }

  it('makes the session aal2, uses the code up and mails the owner', async () => {
    const user = await userWithCodes();
    server.clock.advance(6 * MINUTE);
    const code = user.codes[0] ?? '';
    const renewed = await reauth(user.client, { method: 'recovery_code', code });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect(Date.parse(renewed.body.authentication.authTime)).toBe(server.clock.now());
    expect(await remaining(user.client)).toBe(9);
    const mail = await mailFor(server, user.email, /recovery code was used/);
    expect(mail?.text).toMatch(/9 remain/);
    expect(mail?.text).not.toContain(code);

    expectProblem(
      await reauth(user.client, { method: 'recovery_code', code }),
      401,
      'invalid_code',
    );
    // Used on re-authentication means used for sign-in too.
    const challenge = await challengeFor(server, user.email, user.password);
    const login = await new Client(server.url).post('/auth/mfa/verify', {
      challenge,
      method: 'recovery_code',
      code,
    });
    expectProblem(login, 401, 'invalid_code');
    expect(await remaining(user.client)).toBe(9);
  });

  it('10 parallel re-authentications with one code: exactly one 200, one code gone', async () => {
    const user = await userWithCodes();
    const token = await tokenOf(user.client);
    const code = user.codes[1] ?? '';
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        reauth(new Client(server.url), { method: 'recovery_code', code }, token),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(401)]);
    expect(await remaining(user.client)).toBe(9);
  });

  it('refuses another user’s code and leaves it usable by its owner', async () => {
    const alice = await userWithCodes();
    const bob = await userWithCodes();
    const bobs = bob.codes[2] ?? '';
    expectProblem(
      await reauth(alice.client, { method: 'recovery_code', code: bobs }),
      401,
      'invalid_code',
    );
    expect(await remaining(alice.client)).toBe(10);
    expect((await reauth(bob.client, { method: 'recovery_code', code: bobs })).status).toBe(200);
  });

  it('a code of a replaced set is refused', async () => {
    const user = await userWithCodes();
    const fresh = await generateCodes(user.client);
    expectProblem(
      await reauth(user.client, { method: 'recovery_code', code: user.codes[3] ?? '' }),
      401,
      'invalid_code',
    );
    expect(
      (await reauth(user.client, { method: 'recovery_code', code: fresh[0] ?? '' })).status,
    ).toBe(200);
  });

  it('dormant codes (their app removed) re-authenticate nothing, as they sign in nothing', async () => {
    const user = await userWithCodes();
    expect((await user.client.delete(`/auth/mfa/totp/${user.factorId}`)).status).toBe(204);
    const tried = await reauth(user.client, { method: 'recovery_code', code: user.codes[4] ?? '' });
    expectProblem(tried, 400, 'invalid_request');
    expect((await me(user.client)).body.authentication).toMatchObject({ acr: 'aal1' });
    expect(await remaining(user.client)).toBe(10);
  });
});

describe('re-authentication on a magic-link session', () => {
  it('amr email + otp is aal2', async () => {
    const { email } = await signedInUser(server);
    const asked = await new Client(server.url).post('/auth/magic-link', { email });
    expect(asked.status).toBe(202);
    const client = new Client(server.url);
    const done = await client.post<{ csrfToken: string }>('/auth/magic-link/verify', {
      token: await mailedToken(server, email, /sign-in link/),
    });
    expect(done.status, done.text).toBe(200);
    client.csrfToken = done.body.csrfToken;
    expect((await me(client)).body.authentication).toMatchObject({ amr: ['email'], acr: 'aal1' });

    const { secret } = await enrolTotp(server, client);
    const renewed = await reauth(client, { method: 'totp', code: nextCode(server, secret) });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.authentication).toMatchObject({ amr: ['email', 'otp'], acr: 'aal2' });
    expect(claimsOf(renewed.body.accessToken)).toMatchObject({
      amr: ['email', 'otp'],
      acr: 'aal2',
    });
    expect((await me(client)).body.authentication).toMatchObject({
      amr: ['email', 'otp'],
      acr: 'aal2',
    });
    expect(client.cookies.get(SESSION_COOKIE)).toBeDefined();
  });
});

describe('second-factor guesses on re-authentication count as second-factor guesses', () => {
  it('a right password in between does not hand out fresh code guesses', async () => {
    const strict = await startTestServer({ settings: { rateLimit: { loginPerAccount: 3 } } });
    try {
      const user = await totpUser(strict);
      const statuses: number[] = [];
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 2; i++) {
          const wrong = await reauth(user.client, {
            method: 'totp',
            code: wrongCode(strict, user.secret),
          });
          statuses.push(wrong.status);
        }
        // The owner's password is right, and clears the password count only.
        const right = await reauth(user.client, { method: 'password', password: user.password });
        expect(right.status, right.text).toBe(200);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
      // The same count guards the sign-in's second step from this source.
      const challenge = await challengeFor(strict, user.email, user.password);
      const verify = await new Client(strict.url).post('/auth/mfa/verify', {
        challenge,
        method: 'totp',
        code: nextCode(strict, user.secret),
      });
      expectProblem(verify, 429, 'rate_limited');
    } finally {
      await strict.stop();
    }
  });
});
