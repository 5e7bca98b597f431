import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/random.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { outbox } from '../helpers/outbox.js';
import { forgedAssertion, forgedRegistration, insertTestPasskey } from '../helpers/passkeys.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ORIGIN = 'http://localhost:3999';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { publicUrl: ORIGIN } });
});
afterAll(async () => server.stop());

interface Options {
  challenge: string;
  rpId?: string;
  rp?: { id: string; name: string };
  user?: { id: string; name: string };
  allowCredentials?: Array<{ id: string; type: string }>;
  excludeCredentials?: Array<{ id: string }>;
  authenticatorSelection?: { residentKey: string; userVerification: string };
  userVerification?: string;
  timeout?: number;
}
interface PasskeyView {
  id: string;
  name: string;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

const B64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;
const db = () => server.core.store.db;
const patch = (client: Client, path: string, json: unknown) =>
  client.request<{ passkey: PasskeyView }>('PATCH', path, { json });

const challengeRow = (challenge: string) =>
  db()
    .selectFrom('webauthn_challenges')
    .selectAll()
    .where('challenge_hash', '=', sha256(challenge))
    .executeTakeFirst();

/** A user whose second factor is a passkey, at the MFA step of a password login. */
async function atSecondStep() {
  const user = await signedInUser(server);
  const passkey = await insertTestPasskey(server, user.userId);
  const login = await new Client(server.url).post<{
    mfaRequired: boolean;
    methods: string[];
    challenge: string;
  }>('/auth/login', { email: user.email, password: user.password });
  expect(login.status).toBe(200);
  return { ...user, passkey, login: login.body };
}

describe('passkey registration', () => {
  it('gives creation options for a discoverable passkey, keeping only the challenge hash', async () => {
    const { client, email, userId } = await signedInUser(server);
    const existing = await insertTestPasskey(server, userId);
    const response = await client.post<{ options: Options }>('/auth/passkeys/register/options');
    expect(response.status).toBe(200);
    const { options } = response.body;
    expect(options.rp).toEqual({ id: 'localhost', name: 'Gatehouse' });
    expect(options.user?.name).toBe(email);
    expect(Buffer.from(options.user?.id ?? '', 'base64url').toString()).toBe(userId);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'preferred',
    });
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([existing.credentialId]);
    expect(options.timeout).toBe(300_000);
    expect(options.challenge).toMatch(B64URL_256_BITS);
    const row = await challengeRow(options.challenge);
    expect(row).toMatchObject({ purpose: 'register', user_id: userId, used_at: null });
    expect(Number(row?.expires_at) - Number(row?.created_at)).toBe(300_000);
    const raw = await db()
      .selectFrom('webauthn_challenges')
      .select('id')
      .where('challenge_hash', '=', options.challenge)
      .executeTakeFirst();
    expect(raw).toBeUndefined();
    const again = await client.post<{ options: Options }>('/auth/passkeys/register/options');
    expect(again.body.options.challenge).not.toBe(options.challenge);
  });

  it('needs a signed-in account and a recent sign-in (step-up)', async () => {
    expectProblem(
      await new Client(server.url).post('/auth/passkeys/register/options'),
      401,
      'unauthenticated',
    );
    const { client } = await signedInUser(server);
    server.clock.advance(11 * 60_000);
    try {
      for (const path of ['/auth/passkeys/register/options', '/auth/passkeys/register/verify']) {
        const response = await client.post(path, { response: forgedRegistration() });
        expectProblem(response, 401, 'step_up_required');
        expect(response.headers.get('www-authenticate')).toMatch(
          /insufficient_user_authentication.*max_age=600/,
        );
      }
    } finally {
      server.clock.advance(-11 * 60_000);
    }
  });

  it('answers garbage with 400 and a forged or unasked-for response with 400, keeping nothing', async () => {
    const { client, userId } = await signedInUser(server);
    const garbage = [
      {},
      { response: {} },
      { response: 'x' },
      { response: { ...forgedRegistration(), id: 'not base64url!' } },
      { response: { ...forgedRegistration(), type: 'password' } },
      { response: { ...forgedRegistration(), rawId: 'a'.repeat(5000) } },
      { response: forgedRegistration(), name: 'x'.repeat(101) },
      { response: forgedRegistration(), extra: true },
    ];
    for (const body of garbage)
      expectProblem(
        await client.post('/auth/passkeys/register/verify', body),
        400,
        'invalid_request',
      );

    const { options } = (await client.post<{ options: Options }>('/auth/passkeys/register/options'))
      .body;
    for (const response of [
      forgedRegistration(),
      forgedRegistration(options.challenge, 'http://evil.example'),
      forgedRegistration(options.challenge),
    ]) {
      expectProblem(
        await client.post('/auth/passkeys/register/verify', { response }),
        400,
        'invalid_request',
      );
    }
    const list = await client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys');
    expect(list.body.passkeys).toEqual([]);
    const kept = await db()
      .selectFrom('passkeys')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    expect(kept).toEqual([]);
  });

  it("refuses another user's registration challenge", async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const { options } = (
      await alice.client.post<{ options: Options }>('/auth/passkeys/register/options')
    ).body;
    expectProblem(
      await bob.client.post('/auth/passkeys/register/verify', {
        response: forgedRegistration(options.challenge),
      }),
      400,
      'invalid_request',
    );
    // Bob's try did not use Alice's challenge up: it was never his to use.
    expect((await challengeRow(options.challenge))?.used_at).toBeNull();
  });
});

describe('passkey sign-in and second factor (no authenticator: the refusals)', () => {
  it('gives public sign-in options naming no credential', async () => {
    const response = await new Client(server.url).post<{ options: Options }>(
      '/auth/passkeys/login/options',
    );
    expect(response.status).toBe(200);
    const { options } = response.body;
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials).toBeUndefined();
    expect(options.userVerification).toBe('preferred');
    expect(options.challenge).toMatch(B64URL_256_BITS);
    expect(await challengeRow(options.challenge)).toMatchObject({
      purpose: 'login',
      user_id: null,
      login_challenge_id: null,
    });
  });

  it('answers garbage with 400 and forged assertions with 401, signing nobody in', async () => {
    const { userId } = await signedInUser(server);
    const passkey = await insertTestPasskey(server, userId);
    const client = new Client(server.url);
    for (const body of [
      {},
      { response: null },
      { response: { ...forgedAssertion(passkey.credentialId), response: {} } },
      { response: { ...forgedAssertion(passkey.credentialId), id: '' } },
    ])
      expectProblem(await client.post('/auth/passkeys/login/verify', body), 400, 'invalid_request');

    const { options } = (await client.post<{ options: Options }>('/auth/passkeys/login/options'))
      .body;
    for (const response of [
      forgedAssertion('AAAA', options.challenge),
      forgedAssertion(passkey.credentialId),
      forgedAssertion(passkey.credentialId, options.challenge, 'http://evil.example'),
      forgedAssertion(passkey.credentialId, options.challenge),
    ]) {
      const answer = await client.post('/auth/passkeys/login/verify', { response });
      expectProblem(answer, 401, 'invalid_credentials');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    const failures = await db()
      .selectFrom('audit_events')
      .select('detail')
      .where('type', '=', 'login')
      .where('outcome', '=', 'failure')
      .where('user_id', '=', userId)
      .execute();
    expect(failures.length).toBeGreaterThanOrEqual(3);
    for (const { detail } of failures) expect(detail).not.toContain(options.challenge);
  });

  it('gives second-factor options for the login challenge’s user only, one live at a time', async () => {
    const { login, passkey, userId } = await atSecondStep();
    expect(login).toMatchObject({ mfaRequired: true, methods: ['webauthn'] });
    const client = new Client(server.url);
    const first = await client.post<{ options: Options }>('/auth/mfa/webauthn/options', {
      challenge: login.challenge,
    });
    expect(first.status).toBe(200);
    expect(first.body.options.allowCredentials?.map((c) => c.id)).toEqual([passkey.credentialId]);
    const row = await challengeRow(first.body.options.challenge);
    expect(row).toMatchObject({ purpose: 'second_factor', user_id: userId });
    expect(row?.login_challenge_id).toBeTruthy();
    const second = await client.post<{ options: Options }>('/auth/mfa/webauthn/options', {
      challenge: login.challenge,
    });
    expect(await challengeRow(first.body.options.challenge)).toBeUndefined();
    expect(await challengeRow(second.body.options.challenge)).toBeDefined();

    for (const challenge of ['nope', 'x'.repeat(43)])
      expectProblem(
        await client.post('/auth/mfa/webauthn/options', { challenge }),
        401,
        'invalid_challenge',
      );
    expectProblem(await client.post('/auth/mfa/webauthn/options', {}), 400, 'invalid_request');
  });

  it('refuses a forged or garbage second-factor assertion (401 / 400), no session', async () => {
    const { login, passkey } = await atSecondStep();
    const client = new Client(server.url);
    const { options } = (
      await client.post<{ options: Options }>('/auth/mfa/webauthn/options', {
        challenge: login.challenge,
      })
    ).body;
    const verify = (assertion: unknown) =>
      client.post('/auth/mfa/verify', {
        challenge: login.challenge,
        method: 'webauthn',
        assertion,
      });
    expectProblem(await verify({ id: 'x' }), 400, 'invalid_request');
    const forged = await verify(forgedAssertion(passkey.credentialId, options.challenge));
    expectProblem(forged, 401, 'invalid_code');
    expect(forged.headers.getSetCookie()).toEqual([]);
    // Someone else's passkey is not this account's second factor.
    const other = await signedInUser(server);
    const theirs = await insertTestPasskey(server, other.userId);
    expectProblem(await verify(forgedAssertion(theirs.credentialId)), 401, 'invalid_code');
  });

  it('gives re-authentication options for the signed-in user’s passkeys', async () => {
    const { client, userId } = await signedInUser(server);
    expectProblem(
      await client.post('/auth/passkeys/reauthenticate/options'),
      400,
      'invalid_request',
    );
    const passkey = await insertTestPasskey(server, userId);
    const response = await client.post<{ options: Options }>(
      '/auth/passkeys/reauthenticate/options',
    );
    expect(response.status).toBe(200);
    expect(response.body.options.allowCredentials?.map((c) => c.id)).toEqual([
      passkey.credentialId,
    ]);
    expect(await challengeRow(response.body.options.challenge)).toMatchObject({
      purpose: 'reauthenticate',
      user_id: userId,
    });
    expectProblem(
      await new Client(server.url).post('/auth/passkeys/reauthenticate/options'),
      401,
      'unauthenticated',
    );
  });
});

describe('passkey management', () => {
  it('lists, renames and removes the caller’s passkeys, never showing a key', async () => {
    const { client, email, userId } = await signedInUser(server);
    const passkey = await insertTestPasskey(server, userId, {
      backupEligible: true,
      backedUp: true,
    });
    const listed = await client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys');
    expect(listed.status).toBe(200);
    expect(listed.body.passkeys).toEqual([
      {
        id: passkey.id,
        name: 'Test passkey',
        transports: ['internal'],
        backupEligible: true,
        backedUp: true,
        createdAt: new Date(passkey.createdAt).toISOString(),
        lastUsedAt: null,
      },
    ]);
    expect(listed.text).not.toContain(passkey.publicKey);

    const renamed = await patch(client, `/auth/passkeys/${passkey.id}`, { name: 'Laptop' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.passkey.name).toBe('Laptop');
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'a\u0000b' }])
      expectProblem(await patch(client, `/auth/passkeys/${passkey.id}`, body), 400);

    expect((await client.delete(`/auth/passkeys/${passkey.id}`)).status).toBe(204);
    expect((await client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys')).body.passkeys).toEqual(
      [],
    );
    const removed = await db()
      .selectFrom('audit_events')
      .select(['detail'])
      .where('type', '=', 'factor_removed')
      .where('user_id', '=', userId)
      .execute();
    expect(removed.map((e) => JSON.parse(e.detail))).toEqual([
      { method: 'webauthn', factorId: passkey.id },
    ]);
    await server.core.background.drain();
    const mails = await outbox(server, email);
    expect(mails.some((m) => /removed from your account/.test(m.subject))).toBe(true);
    expectProblem(await client.delete(`/auth/passkeys/${passkey.id}`), 404, 'not_found');
  });

  it("cannot rename or remove another user's passkey (404), and theirs stays", async () => {
    const alice = await signedInUser(server);
    const bob = await signedInUser(server);
    const hers = await insertTestPasskey(server, alice.userId);
    expectProblem(await patch(bob.client, `/auth/passkeys/${hers.id}`, { name: 'mine' }), 404);
    expectProblem(await bob.client.delete(`/auth/passkeys/${hers.id}`), 404, 'not_found');
    expectProblem(await bob.client.delete('/auth/passkeys/not%20an%20id'), 400);
    const list = await alice.client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys');
    expect(list.body.passkeys.map((p) => [p.id, p.name])).toEqual([[hers.id, 'Test passkey']]);
  });

  it('removing a passkey needs a recent sign-in', async () => {
    const { client, userId } = await signedInUser(server);
    const passkey = await insertTestPasskey(server, userId);
    server.clock.advance(11 * 60_000);
    try {
      expectProblem(await client.delete(`/auth/passkeys/${passkey.id}`), 401, 'step_up_required');
    } finally {
      server.clock.advance(-11 * 60_000);
    }
    expect(
      (await client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys')).body.passkeys,
    ).toHaveLength(1);
  });

  it('never removes the last way into an account without a password (409), even in parallel', async () => {
    const { client, userId } = await signedInUser(server);
    const keys = [await insertTestPasskey(server, userId), await insertTestPasskey(server, userId)];
    await db().updateTable('users').set({ password_hash: null }).where('id', '=', userId).execute();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.delete(`/auth/passkeys/${keys[i % 2]?.id}`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.every((s) => s === 204 || s === 409 || s === 404)).toBe(true);
    const left = await client.get<{ passkeys: PasskeyView[] }>('/auth/passkeys');
    expect(left.body.passkeys).toHaveLength(1);
    const last = left.body.passkeys[0]?.id;
    expectProblem(await client.delete(`/auth/passkeys/${last}`), 409, 'conflict');
  });
});

describe('passkey sign-in options are limited per source', () => {
  it('answers 429 with Retry-After past rateLimit.loginPerIp, storing no more challenges', async () => {
    const limited = await startTestServer({
      settings: { publicUrl: ORIGIN, rateLimit: { loginPerIp: 3 } },
    });
    try {
      const client = new Client(limited.url);
      for (let i = 0; i < 3; i++)
        expect((await client.post('/auth/passkeys/login/options')).status).toBe(200);
      const refused = await client.post('/auth/passkeys/login/options');
      expectProblem(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const rows = await limited.core.store.db
        .selectFrom('webauthn_challenges')
        .select('id')
        .execute();
      expect(rows).toHaveLength(3);
    } finally {
      await limited.stop();
    }
  });
});

describe('passkey settings', () => {
  it('without a public URL or RP settings, passkeys are off: 404 with the reason', async () => {
    const bare = await startTestServer();
    try {
      const response = await new Client(bare.url).post('/auth/passkeys/login/options');
      expectProblem(response, 404, 'not_found');
      expect(response.body.detail).toMatch(/GATEHOUSE_PUBLIC_URL/);
    } finally {
      await bare.stop();
    }
  });

  it('an explicit RP ID and origins override the public URL; an origin off the RP ID stops start-up', async () => {
    const custom = await startTestServer({
      settings: {
        publicUrl: ORIGIN,
        webauthn: { rpId: 'example.com', origins: ['https://login.example.com'], rpName: 'Acme' },
      },
    });
    try {
      const response = await new Client(custom.url).post<{ options: Options }>(
        '/auth/passkeys/login/options',
      );
      expect(response.body.options.rpId).toBe('example.com');
    } finally {
      await custom.stop();
    }
    await expect(
      startTestServer({
        settings: { webauthn: { rpId: 'example.com', origins: ['https://example.org'] } },
      }),
    ).rejects.toThrow(/webauthn.origins/);
  });
});
