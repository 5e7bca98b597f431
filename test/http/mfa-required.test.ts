import { createVerifier, VerifyError } from '@gatehouse/verify';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { enrolTotp, nextCode, wrongCode } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, claimsOf, type LoginBody, refreshWith } from '../helpers/tokens.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { mfa: { requiredForRoles: ['admin'] } } });
});
afterAll(() => server.stop());

interface RestrictedLogin extends LoginBody {
  mfaEnrollmentRequired?: boolean;
}

/** An admin who has no second factor yet, signed in with the password (refresh token in the body). */
async function adminWithoutFactor() {
  const {
    client: _unused,
    email,
    password,
    userId,
  } = await signedInUser(server, {
    roles: ['admin'],
  });
  const client = new Client(server.url);
  const login = await client.post<RestrictedLogin>('/auth/login', {
    email,
    password,
    refreshTokenDelivery: 'body',
  });
  expect(login.status, login.text).toBe(200);
  client.csrfToken = login.body.csrfToken;
  return { client, login: login.body, email, password, userId };
}

/** A resource server's verifier, over this server's JWKS, with the defaults an app would use. */
async function resourceServerVerifier() {
  const jwks = (await new Client(server.url).get<JSONWebKeySet>('/.well-known/jwks.json')).body;
  return createVerifier({
    jwks: createLocalJWKSet(jwks),
    issuer: server.core.issuer,
    audience: server.core.settings.tokens.audience,
    now: () => server.clock.now(),
  });
}

describe('mfa.requiredForRoles: an admin without a second factor', () => {
  it('signs in to a session limited to enrolment, and says so', async () => {
    const { client, login } = await adminWithoutFactor();
    expect(login.mfaEnrollmentRequired).toBe(true);
    expect(claimsOf(login.accessToken).restriction).toBe('mfa_enrollment');
    const me = await client.get<{ authentication: { restriction?: string } }>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.authentication.restriction).toBe('mfa_enrollment');
  });

  it('/admin/* is 403 mfa_enrollment_required with the cookie and with the token', async () => {
    const { client, login } = await adminWithoutFactor();
    expectProblem(await client.get('/admin/users'), 403, 'mfa_enrollment_required');
    const bare = new Client(server.url);
    expectProblem(
      await bare.get('/admin/users', bearer(login.accessToken)),
      403,
      'mfa_enrollment_required',
    );
    // Nothing else that is not enrolment either: no keys, no sessions list, no authz answers.
    expectProblem(
      await client.post('/auth/api-keys', { name: 'k' }),
      403,
      'mfa_enrollment_required',
    );
    expectProblem(await client.get('/auth/sessions'), 403, 'mfa_enrollment_required');
    expectProblem(
      await bare.post(
        '/authz/check',
        { action: 'users:manage', resource: { type: 'users' } },
        bearer(login.accessToken),
      ),
      403,
      'mfa_enrollment_required',
    );
    expect((await bare.get('/auth/me', bearer(login.accessToken))).status).toBe(200);
  });

  it('a refreshed token is still restricted', async () => {
    const { login } = await adminWithoutFactor();
    const refreshed = await refreshWith(server, login.refreshToken ?? '');
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.accessToken).restriction).toBe('mfa_enrollment');
    expectProblem(
      await new Client(server.url).get('/admin/users', bearer(refreshed.body.accessToken)),
      403,
      'mfa_enrollment_required',
    );
  });

  it('public routes stay open to the restricted cookie: its refresh, a new sign-in', async () => {
    const { client, email, password } = await adminWithoutFactor();
    const cookieClient = new Client(server.url);
    const login = await cookieClient.post<RestrictedLogin>('/auth/login', { email, password });
    expect(login.body.mfaEnrollmentRequired).toBe(true);
    cookieClient.csrfToken = login.body.csrfToken;
    const refreshed = await cookieClient.post<{ accessToken: string }>('/auth/refresh');
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(claimsOf(refreshed.body.accessToken).restriction).toBe('mfa_enrollment');
    const other = await signedInUser(server);
    const again = await client.post<RestrictedLogin>('/auth/login', {
      email: other.email,
      password: other.password,
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body.mfaEnrollmentRequired).toBeUndefined();
    expect(password).toBe(strongPassword);
  });

  it('a resource server refuses the restricted token, and accepts a full one', async () => {
    const verifier = await resourceServerVerifier();
    const { login } = await adminWithoutFactor();
    const refused = await verifier.verify(login.accessToken).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(VerifyError);
    expect(refused).toMatchObject({ code: 'invalid_token', reason: 'restricted_session' });
    const { email } = await signedInUser(server);
    const full = await new Client(server.url).post<LoginBody>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect((await verifier.verify(full.body.accessToken)).sub).toBe(full.body.user.id);
  });

  it('logout works, and ends the restricted session', async () => {
    const { client, login } = await adminWithoutFactor();
    expect((await client.post('/auth/logout')).status).toBe(204);
    expectProblem(await client.get('/auth/me'), 401, 'unauthenticated');
    const refreshed = await refreshWith(server, login.refreshToken ?? '');
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('invalid_refresh_token');
  });

  it('a password re-authentication does not lift the restriction', async () => {
    const { client, password } = await adminWithoutFactor();
    const renewed = await client.post<{ accessToken: string; authentication: object }>(
      '/auth/reauthenticate',
      { method: 'password', password },
    );
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.authentication).toMatchObject({ restriction: 'mfa_enrollment' });
    expect(claimsOf(renewed.body.accessToken).restriction).toBe('mfa_enrollment');
    expectProblem(await client.get('/admin/users'), 403, 'mfa_enrollment_required');
  });

  it('enrols an authenticator app over HTTP, then re-authenticating with it lifts the restriction (aal2)', async () => {
    const { client, login, email, password } = await adminWithoutFactor();
    // Enrolment is what the restricted session is for; enrolling alone lifts nothing.
    const { secret } = await enrolTotp(server, client);
    expectProblem(await client.get('/admin/users'), 403, 'mfa_enrollment_required');
    const code = nextCode(server, secret);
    const wrong = await client.post('/auth/reauthenticate', {
      method: 'totp',
      code: wrongCode(server, secret),
    });
    expectProblem(wrong, 401, 'invalid_code');
    expectProblem(await client.get('/admin/users'), 403, 'mfa_enrollment_required');

    const lifted = await client.post<{
      accessToken: string;
      authentication: { amr: string[]; acr: string; restriction?: string };
    }>('/auth/reauthenticate', { method: 'totp', code });
    expect(lifted.status, lifted.text).toBe(200);
    expect(lifted.body.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect(lifted.body.authentication.restriction).toBeUndefined();
    expect(claimsOf(lifted.body.accessToken).restriction).toBeUndefined();
    expect((await client.get('/admin/users')).status).toBe(200);
    const me = await client.get<{ authentication: { restriction?: string } }>('/auth/me');
    expect(me.body.authentication.restriction).toBeUndefined();
    const bare = new Client(server.url);
    expect((await bare.get('/admin/users', bearer(lifted.body.accessToken))).status).toBe(200);
    // A token minted before stays what it was.
    expectProblem(
      await bare.get('/admin/users', bearer(login.accessToken)),
      403,
      'mfa_enrollment_required',
    );
    // And the session's refresh now mints full tokens.
    const refreshed = await refreshWith(server, login.refreshToken ?? '');
    expect(claimsOf(refreshed.body.accessToken).restriction).toBeUndefined();
    // The code is spent: replaying it re-authenticates nothing.
    const replay = await bare.post(
      '/auth/reauthenticate',
      { method: 'totp', code },
      bearer(lifted.body.accessToken),
    );
    expectProblem(replay, 401, 'invalid_code');

    // With a factor on record, the next password login asks for it and the session is full.
    const next = await new Client(server.url).post<{ mfaRequired?: boolean; methods?: string[] }>(
      '/auth/login',
      { email, password },
    );
    expect(next.body).toMatchObject({ mfaRequired: true, methods: ['totp'] });
  });

  it('a user outside the roles is not restricted', async () => {
    const email = uniqueEmail();
    const { client } = await signedInUser(server, { email });
    const me = await client.get<{ authentication: { restriction?: string } }>('/auth/me');
    expect(me.body.authentication.restriction).toBeUndefined();
    expect((await client.get('/auth/sessions')).status).toBe(200);
  });
});
