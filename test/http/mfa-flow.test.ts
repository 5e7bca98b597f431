import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import {
  auditOf,
  challengeFor,
  codeNow,
  nextCode,
  passwordStep,
  totpUser,
} from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, claimsOf, type LoginBody, meWithToken, refreshWith } from '../helpers/tokens.js';

/**
 * The sign-in flow with TOTP as the second factor, from the outside: a right
 * password yields only a challenge (no cookie, no token, no session), and
 * POST /auth/mfa/verify turns it, once, into the same answer as a login.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

type Answer = LoginBody & Record<string, unknown>;

const verify = (challenge: string, code: string, method = 'totp', extra = {}) =>
  new Client(server.url).post<Answer>('/auth/mfa/verify', {
    challenge,
    method,
    code,
    ...extra,
  });

const sessionsOf = async (client: Client) =>
  (await client.get<{ sessions: Array<{ id: string }> }>('/auth/sessions')).body.sessions;

describe('the password step on an account with TOTP', () => {
  it('answers with a challenge, sets no cookie, issues no token and creates no session', async () => {
    const user = await totpUser(server);
    const before = await sessionsOf(user.client);
    const { client, response } = await passwordStep(server, user.email, user.password);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      mfaRequired: true,
      methods: ['totp'],
      challenge: expect.any(String),
      expiresIn: 300,
    });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(client.cookies.size).toBe(0);
    expect(response.text).not.toMatch(/accessToken|refreshToken|csrfToken/);
    expect(await sessionsOf(user.client)).toEqual(before);
    // The challenge is no credential.
    expectProblem(await meWithToken(server, response.body.challenge), 401, 'unauthenticated');
  });

  it('a wrong password still answers 401 invalid_credentials, not a challenge', async () => {
    const user = await totpUser(server);
    const { response } = await passwordStep(server, user.email, 'not the password at all');
    expectProblem(response, 401, 'invalid_credentials');
  });
});

describe('POST /auth/mfa/verify', () => {
  it('with the right code answers like a login: cookie, CSRF token, access token with amr/acr/auth_time', async () => {
    const user = await totpUser(server);
    const { client, response } = await passwordStep(server, user.email, user.password);
    const loginAt = server.clock.now();
    const code = nextCode(server, user.secret);
    const done = await client.post<Answer>('/auth/mfa/verify', {
      challenge: response.body.challenge,
      method: 'totp',
      code,
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body.user.id).toBe(user.userId);
    expect(done.body).toMatchObject({
      csrfToken: expect.any(String),
      accessToken: expect.any(String),
      tokenType: 'Bearer',
    });
    expect(client.cookies.size).toBeGreaterThan(0);
    client.csrfToken = done.body.csrfToken;

    const me = await client.get<{ authentication: Record<string, unknown> }>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    // The sign-in happened at the password step, not at the (later) code.
    expect(Date.parse(String(me.body.authentication.authTime))).toBe(loginAt);

    const claims = claimsOf(done.body.accessToken);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe('aal2');
    expect(claims.auth_time).toBe(Math.floor(loginAt / 1000));
    expect((await meWithToken(server, done.body.accessToken)).status).toBe(200);
    expect(await sessionsOf(user.client)).toHaveLength(2);

    const [verified] = await auditOf(server, user.userId, 'mfa_verify');
    expect(verified).toMatchObject({ outcome: 'success', detail: { method: 'totp' } });
  });

  it('a refresh after MFA keeps amr and acr in the new access token', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    const done = await verify(challenge, nextCode(server, user.secret), 'totp', {
      refreshTokenDelivery: 'body',
    });
    expect(done.status, done.text).toBe(200);
    const refreshed = await refreshWith(server, done.body.refreshToken ?? '');
    expect(refreshed.status, refreshed.text).toBe(200);
    const claims = claimsOf(refreshed.body.accessToken);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.acr).toBe('aal2');
    expect(claims.auth_time).toBe(claimsOf(done.body.accessToken).auth_time);
  });

  it('a wrong code is 401 invalid_code and the challenge lives on', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    const right = nextCode(server, user.secret);
    const wrong = right === '000000' ? '000001' : '000000';
    expectProblem(await verify(challenge, wrong), 401, 'invalid_code');
    expectProblem(await verify(challenge, 'abc'), 401, 'invalid_code');
    expect((await verify(challenge, right)).status).toBe(200);
    const [failed] = await auditOf(server, user.userId, 'mfa_verify');
    expect(failed).toMatchObject({ outcome: 'failure', detail: { method: 'totp' } });
  });

  it('5 wrong attempts kill the challenge: the 6th, even right, is invalid_challenge', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    const right = nextCode(server, user.secret);
    const wrong = right === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) expectProblem(await verify(challenge, wrong), 401, 'invalid_code');
    expectProblem(await verify(challenge, right), 401, 'invalid_challenge');
    // The right code was not used up by the dead challenge.
    const fresh = await challengeFor(server, user.email, user.password);
    expect((await verify(fresh, right)).status).toBe(200);
  });

  it('an expired challenge (5 minutes) is invalid_challenge', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    server.clock.advance(5 * 60_000);
    expectProblem(await verify(challenge, codeNow(server, user.secret)), 401, 'invalid_challenge');
  });

  it('a used challenge is invalid_challenge, even with a new right code', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    expect((await verify(challenge, nextCode(server, user.secret))).status).toBe(200);
    expectProblem(await verify(challenge, nextCode(server, user.secret)), 401, 'invalid_challenge');
  });

  it('an unknown challenge is invalid_challenge', async () => {
    expectProblem(await verify('no-such-challenge', '123456'), 401, 'invalid_challenge');
  });

  it('10 parallel verifies of one challenge with the right code: exactly one session', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    const code = nextCode(server, user.secret);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(challenge, code)));
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(401);
      expect(['invalid_code', 'invalid_challenge']).toContain(lost.body.code);
    }
    expect(await sessionsOf(user.client)).toHaveLength(2);
  });

  it("a challenge cannot be completed with another user's code", async () => {
    const alice = await totpUser(server);
    const bob = await totpUser(server);
    const challenge = await challengeFor(server, alice.email, alice.password);
    const bobsCode = nextCode(server, bob.secret);
    if (bobsCode === codeNow(server, alice.secret)) return; // 1 in 10^6: the codes collide
    expectProblem(await verify(challenge, bobsCode), 401, 'invalid_code');
    // Nor did it use Bob's code up.
    const bobs = await challengeFor(server, bob.email, bob.password);
    expect((await verify(bobs, bobsCode)).status).toBe(200);
  });

  it('refuses a method the account does not have, as a 400', async () => {
    const user = await totpUser(server);
    const challenge = await challengeFor(server, user.email, user.password);
    expectProblem(await verify(challenge, '123456', 'sms'), 400, 'invalid_request');
    expectProblem(await verify(challenge, 'aaaa-bbbb-cccc-dddd', 'recovery_code'), 400);
  });
});

describe('a TOTP code works once (replay)', () => {
  it('a code accepted once is refused for the rest of its window, on a new challenge', async () => {
    const user = await totpUser(server);
    const code = nextCode(server, user.secret);
    const first = await challengeFor(server, user.email, user.password);
    expect((await verify(first, code)).status).toBe(200);
    const second = await challengeFor(server, user.email, user.password);
    expectProblem(await verify(second, code), 401, 'invalid_code');
    // Still inside its ±1 step window half a step later: still refused.
    server.clock.advance(15_000);
    expectProblem(await verify(second, code), 401, 'invalid_code');
  });

  it('an older code is refused once a later one was accepted', async () => {
    const user = await totpUser(server);
    const later = nextCode(server, user.secret);
    const earlier = codeNow(server, user.secret, -1);
    const first = await challengeFor(server, user.email, user.password);
    expect((await verify(first, later)).status).toBe(200);
    const second = await challengeFor(server, user.email, user.password);
    if (earlier === later) return;
    expectProblem(await verify(second, earlier), 401, 'invalid_code');
  });

  it('10 parallel uses of one right code on 10 challenges: exactly one signs in', async () => {
    const user = await totpUser(server);
    const challenges = [];
    for (let i = 0; i < 10; i++)
      challenges.push(await challengeFor(server, user.email, user.password));
    const code = nextCode(server, user.secret);
    const answers = await Promise.all(challenges.map((c) => verify(c, code)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const lost of answers.filter((a) => a.status !== 200))
      expectProblem(lost, 401, 'invalid_code');
  });
});

describe('the login limits apply to second factors', () => {
  it('many wrong codes across fresh challenges end in 429 with Retry-After', async () => {
    const user = await totpUser(server);
    const right = codeNow(server, user.secret);
    const wrong = right === '123456' ? '654321' : '123456';
    let limited = null;
    // Each fresh challenge comes from a right password: that must not wipe the count of wrong codes.
    for (let round = 0; round < 5 && !limited; round++) {
      const challenge = await challengeFor(server, user.email, user.password);
      for (let i = 0; i < 5; i++) {
        const answer = await verify(challenge, wrong);
        if (answer.status === 429) {
          limited = answer;
          break;
        }
        expectProblem(answer, 401, 'invalid_code');
      }
    }
    expect(limited).not.toBeNull();
    if (!limited) return;
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // 10 wrong codes per account and source (loginPerAccount): the 11th is refused unchecked.
    const failures = await auditOf(server, user.userId, 'mfa_verify');
    expect(failures.filter((f) => f.outcome === 'failure')).toHaveLength(10);
    // Even the right code, on a fresh challenge, waits for the window.
    const fresh = await challengeFor(server, user.email, user.password);
    expectProblem(await verify(fresh, nextCode(server, user.secret)), 429, 'rate_limited');
  });
});

describe('no full session before the second factor', () => {
  it('a client holding only a challenge reaches nothing that needs a sign-in', async () => {
    const user = await totpUser(server);
    const { client, response } = await passwordStep(server, user.email, user.password);
    for (const path of ['/auth/me', '/auth/sessions', '/auth/mfa', '/auth/api-keys']) {
      expectProblem(await client.get(path), 401, 'unauthenticated');
      expectProblem(
        await new Client(server.url).get(path, bearer(response.body.challenge)),
        401,
        'unauthenticated',
      );
    }
  });
});
