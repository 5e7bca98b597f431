import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAccess } from '../../src/http/access.js';
import { defineRoute } from '../../src/http/route.js';
import { idParams } from '../../src/http/schemas.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { enrolTotp, nextCode, totpUser, wrongCode } from '../helpers/mfa.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Rules that read the caller's login: managing users needs a login within
 * 5 minutes, the audit log needs aal2, opening a vault both (object-level).
 */
const policy = `version: 1
resources:
  users:
    actions: [manage]
  audit:
    actions: [read]
  vault:
    actions: [read, open]
roles:
  admin:
    permissions: [audit:read]
  keeper:
    permissions: [vault:read]
rules:
  - id: admins-manage-when-fresh
    effect: allow
    actions: [users:manage]
    roles: [admin]
    when: auth.ageSeconds < 300
  - id: audit-needs-aal2
    effect: deny
    actions: [audit:read]
    when: not (auth.acr == "aal2")
  - id: keepers-open-fresh-and-strong
    effect: allow
    actions: [vault:open]
    roles: [keeper]
    when: auth.ageSeconds <= 120 and auth.acr == "aal2"
`;

const routes = [
  defineRoute({
    method: 'POST',
    url: '/t/vaults/:id/open',
    access: 'authenticated',
    summary: 'open one vault (an object-level decision)',
    params: idParams,
    handler: async (ctx) => {
      await requireAccess(ctx, 'vault:open', async () => ({
        value: ctx.params.id,
        resource: { type: 'vault', id: ctx.params.id, attributes: {} },
      }));
      return { opened: ctx.params.id };
    },
  }),
];

let server: TestServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, policy);
  server = await startTestServer({ routes, settings: { policyFile } });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const challengeOf = (response: Response) => response.headers.get('www-authenticate') ?? '';

/** An account with an authenticator app, signed in with its password and a TOTP code: aal2. */
async function strongUser(roles: string[]) {
  const user = await totpUser(server, { roles });
  const client = new Client(server.url);
  const first = await client.post<{ challenge: string }>('/auth/login', {
    email: user.email,
    password: user.password,
  });
  expect(first.body).toMatchObject({ mfaRequired: true });
  const done = await client.post<{ csrfToken: string }>('/auth/mfa/verify', {
    challenge: first.body.challenge,
    method: 'totp',
    code: nextCode(server, user.secret),
  });
  expect(done.status, done.text).toBe(200);
  const me = await client.get<{ authentication: { amr: string[]; acr: string } }>('/auth/me');
  expect(me.body.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
  client.csrfToken = done.body.csrfToken;
  return { ...user, client };
}

describe('a policy rule on auth.ageSeconds', () => {
  it('grants a fresh login; an old one gets 401 step_up_required naming max_age', async () => {
    const { client, password } = await signedInUser(server, { roles: ['admin'] });
    expect((await client.get('/admin/users')).status).toBe(200);
    server.clock.advance(301_000);
    const stale = await client.get('/admin/users');
    expectProblem(stale, 401, 'step_up_required');
    expect(challengeOf(stale)).toContain('error="insufficient_user_authentication"');
    expect(challengeOf(stale)).toContain('max_age=300');
    expect(stale.body.maxAge).toBe(300);

    // /authz/check answers the same question the same way, and says what would lift it.
    const asked = await client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(asked.body).toEqual({
      allowed: false,
      reason: 'default_deny',
      stepUp: { maxAgeSeconds: 300 },
    });

    const renewed = await client.post('/auth/reauthenticate', { method: 'password', password });
    expect(renewed.status).toBe(200);
    expect((await client.get('/admin/users')).status).toBe(200);
    const again = await client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(again.body).toEqual({ allowed: true, reason: 'rule:admins-manage-when-fresh' });
  });

  it('a caller without the role gets 403: no login would help', async () => {
    const { client } = await signedInUser(server);
    expectProblem(await client.get('/admin/users'), 403, 'forbidden');
    const asked = await client.post('/authz/check', {
      action: 'users:manage',
      resource: { type: 'users' },
    });
    expect(asked.body).toEqual({ allowed: false, reason: 'default_deny' });
  });
});

describe('a policy rule on auth.acr', () => {
  it('a password login is refused with acr_values="aal2"; a second factor lifts it', async () => {
    const { client } = await signedInUser(server, { roles: ['admin'] });
    const weak = await client.get('/admin/audit');
    expectProblem(weak, 401, 'step_up_required');
    expect(challengeOf(weak)).toContain('acr_values="aal2"');
    expect(challengeOf(weak)).not.toContain('max_age');
    const asked = await client.post('/authz/check', {
      action: 'audit:read',
      resource: { type: 'audit' },
    });
    expect(asked.body).toEqual({
      allowed: false,
      reason: 'rule:audit-needs-aal2',
      stepUp: { acr: 'aal2' },
    });

    // Enrolling the app is not a re-authentication: the session stays aal1.
    const { secret } = await enrolTotp(server, client);
    expectProblem(await client.get('/admin/audit'), 401, 'step_up_required');
    const code = nextCode(server, secret);
    const wrong = await client.post('/auth/reauthenticate', {
      method: 'totp',
      code: wrongCode(server, secret),
    });
    expectProblem(wrong, 401, 'invalid_code');
    expectProblem(await client.get('/admin/audit'), 401, 'step_up_required');

    const strong = await client.post<{ authentication: { amr: string[]; acr: string } }>(
      '/auth/reauthenticate',
      { method: 'totp', code },
    );
    expect(strong.status, strong.text).toBe(200);
    expect(strong.body.authentication).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
    expect((await client.get('/admin/audit')).status).toBe(200);
  });

  it('a password re-authentication on a pwd+otp session makes it aal1 again', async () => {
    const { client, password } = await strongUser(['admin']);
    expect((await client.get('/admin/audit')).status).toBe(200);
    const renewed = await client.post<{ authentication: { amr: string[]; acr: string } }>(
      '/auth/reauthenticate',
      { method: 'password', password },
    );
    expect(renewed.body.authentication).toMatchObject({ amr: ['pwd'], acr: 'aal1' });
    expectProblem(await client.get('/admin/audit'), 401, 'step_up_required');
  });

  it('an API key is told it needs a sign-in', async () => {
    const { client } = await signedInUser(server, { roles: ['admin'] });
    const created = await client.post<{ apiKey: { key: string } }>('/auth/api-keys', {
      name: 'k',
    });
    const refused = await new Client(server.url).get('/admin/audit', {
      headers: { 'x-api-key': created.body.apiKey.key },
    });
    expectProblem(refused, 401, 'step_up_required');
    expect(refused.body.detail).toMatch(/not a key/);
  });
});

describe('an object-level decision on the login', () => {
  it('opens for a fresh aal2 login; 401 naming both when old and weak; 404 for a stranger', async () => {
    const keeper = await strongUser(['keeper']);
    expect((await keeper.client.post('/t/vaults/v1/open')).status).toBe(200);
    server.clock.advance(121_000);
    const stale = await keeper.client.post('/t/vaults/v1/open');
    expectProblem(stale, 401, 'step_up_required');
    expect(challengeOf(stale)).toContain('max_age=120');
    expect(challengeOf(stale)).not.toContain('acr_values');

    const weak = await signedInUser(server, { roles: ['keeper'] });
    server.clock.advance(121_000);
    const both = await weak.client.post('/t/vaults/v1/open');
    expectProblem(both, 401, 'step_up_required');
    expect(challengeOf(both)).toContain('max_age=120');
    expect(challengeOf(both)).toContain('acr_values="aal2"');

    // Who may not even read a vault learns nothing of it, however they signed in.
    const stranger = await strongUser([]);
    expectProblem(await stranger.client.post('/t/vaults/v1/open'), 404, 'not_found');
  });
});
