import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { codeNow, enrolTotp, wrongCode } from '../helpers/mfa.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { insertTestPasskey } from '../helpers/passkeys.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, textedCode, uniquePhone } from '../helpers/sms.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(async () => {
  await server?.stop();
});

interface FactorList {
  factors: { method: string; id: string; name: string | null }[];
  recoveryCodesRemaining: number;
}
const factorsOf = async (client: Client) => (await client.get<FactorList>('/auth/mfa')).body;
const passkeysOf = async (client: Client) =>
  (await client.get<{ passkeys: { id: string; name: string }[] }>('/auth/passkeys')).body.passkeys;
const secretOf = (html: string) => /data-totp-secret="">([A-Z2-7]+)</.exec(html)?.[1] ?? '';
const codesOf = (html: string) =>
  [...html.matchAll(/<li class="secret">([^<]+)<\/li>/g)].map((m) => m[1] ?? '');
const from = { from: '/account/security' };

describe('the security page', () => {
  it('shows each section, passkeys to add with JavaScript, and SMS when it is on', async () => {
    const { client } = await signedInUser(server);
    const page = await openPage(client, '/account/security');
    expect(page.status).toBe(200);
    for (const text of ['Passkeys', 'Authenticator app', 'Recovery codes', 'Text message (SMS)'])
      expect(page.text).toContain(text);
    expect(page.text).toMatch(
      /<script type="module" src="\/assets\/passkey-register-[A-Z0-9]+\.js"/,
    );
    expect(page.text).toContain('action="/account/totp/setup"');
    expect(page.text).toContain('0 unused codes remain.');
  });
});

describe('authenticator app enrolment', () => {
  it('shows the QR code and the secret once, then confirms with a code from it', async () => {
    const { client } = await signedInUser(server);
    const setup = await submitForm(client, '/account/totp/setup', {}, from);
    expect(setup.status).toBe(200);
    expect(setup.text).toContain('<svg');
    const secret = secretOf(setup.text);
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect((await openPage(client, '/account/security')).text).not.toContain(secret);
    const wrong = await submitForm(
      client,
      '/account/totp/confirm',
      { code: wrongCode(server, secret) },
      from,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The code is not right.');
    const bad = await submitForm(client, '/account/totp/confirm', { code: '' }, from);
    expect(bad.status).toBe(400);
    expect((await factorsOf(client)).factors).toEqual([]);
    const done = await submitForm(
      client,
      '/account/totp/confirm',
      { code: codeNow(server, secret) },
      from,
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/security?notice=totp_added');
    expect((await factorsOf(client)).factors.map((f) => f.method)).toEqual(['totp']);
    const again = await submitForm(client, '/account/totp/setup', {}, from);
    expect(again.status).toBe(409);
    expect(again.text).toContain('already has an authenticator app');
  });

  it('starts and confirms nothing without the CSRF field', async () => {
    const { client } = await signedInUser(server);
    expect((await submitForm(client, '/account/totp/setup', {}, { csrf: null })).status).toBe(403);
    const setup = await submitForm(client, '/account/totp/setup', {}, from);
    const secret = secretOf(setup.text);
    const denied = await submitForm(
      client,
      '/account/totp/confirm',
      { code: codeNow(server, secret) },
      { csrf: null },
    );
    expect(denied.status).toBe(403);
    expect((await factorsOf(client)).factors).toEqual([]);
  });

  it("removes the app; another user's app id is 404 and stays", async () => {
    const owner = await signedInUser(server);
    const attacker = await signedInUser(server);
    const { factorId } = await enrolTotp(server, owner.client);
    const path = `/account/totp/${factorId}/remove`;
    expect((await submitForm(attacker.client, path, {}, from)).status).toBe(404);
    expect((await submitForm(owner.client, path, {}, { csrf: null })).status).toBe(403);
    expect((await factorsOf(owner.client)).factors).toHaveLength(1);
    const removed = await submitForm(owner.client, path, {}, from);
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/account/security?notice=totp_removed');
    expect((await factorsOf(owner.client)).factors).toEqual([]);
  });
});

describe('recovery codes', () => {
  it('are refused without another factor, with the reason on the page', async () => {
    const { client } = await signedInUser(server);
    const refused = await submitForm(client, '/account/recovery-codes', {}, from);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('back up another second factor');
  });

  it('are shown once on the answer page, never again; the page counts what remains', async () => {
    const { client } = await signedInUser(server);
    await enrolTotp(server, client);
    expect((await submitForm(client, '/account/recovery-codes', {}, { csrf: null })).status).toBe(
      403,
    );
    expect((await factorsOf(client)).recoveryCodesRemaining).toBe(0);
    const answer = await submitForm(client, '/account/recovery-codes', {}, from);
    expect(answer.status).toBe(200);
    const codes = codesOf(answer.text);
    expect(codes).toHaveLength(10);
    const page = await openPage(client, '/account/security');
    expect(page.text).toContain('10 unused codes remain.');
    for (const code of codes) expect(page.text).not.toContain(code);
  });
});

describe('passkeys', () => {
  it("renames and removes one; another user's passkey is 404 and untouched", async () => {
    const owner = await signedInUser(server);
    const attacker = await signedInUser(server);
    const passkey = await insertTestPasskey(server, owner.userId, { name: 'Laptop' });
    const rename = `/account/passkeys/${passkey.id}/rename`;
    const remove = `/account/passkeys/${passkey.id}/remove`;
    expect((await submitForm(attacker.client, rename, { name: 'Pwned' }, from)).status).toBe(404);
    expect((await submitForm(attacker.client, remove, {}, from)).status).toBe(404);
    expect((await submitForm(owner.client, rename, { name: 'Pwned' }, { csrf: null })).status).toBe(
      403,
    );
    expect((await submitForm(owner.client, remove, {}, { csrf: null })).status).toBe(403);
    expect((await passkeysOf(owner.client)).map((p) => p.name)).toEqual(['Laptop']);
    const empty = await submitForm(owner.client, rename, { name: '' }, from);
    expect(empty.status).toBe(400);
    const renamed = await submitForm(owner.client, rename, { name: 'Work laptop' }, from);
    expect(renamed.status).toBe(303);
    expect(renamed.headers.get('location')).toBe('/account/security?notice=passkey_renamed');
    expect((await passkeysOf(owner.client)).map((p) => p.name)).toEqual(['Work laptop']);
    expect((await openPage(owner.client, '/account/security')).text).toContain(
      'value="Work laptop"',
    );
    const removed = await submitForm(owner.client, remove, {}, from);
    expect(removed.headers.get('location')).toBe('/account/security?notice=passkey_removed');
    expect(await passkeysOf(owner.client)).toEqual([]);
  });

  it('refuses to remove the last way into an account without a password, saying why', async () => {
    const { client, userId } = await signedInUser(server);
    const passkey = await insertTestPasskey(server, userId);
    await server.core.store.db
      .updateTable('users')
      .set({ password_hash: null })
      .where('id', '=', userId)
      .execute();
    const refused = await submitForm(client, `/account/passkeys/${passkey.id}/remove`, {}, from);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('last way into your account');
    expect(await passkeysOf(client)).toHaveLength(1);
  });
});

describe('SMS', () => {
  it('adds a number with the texted code, and removes it', async () => {
    const { client } = await signedInUser(server);
    const phone = uniquePhone();
    const bad = await submitForm(client, '/account/sms/setup', { phone: '07700 900' }, from);
    expect(bad.status).toBe(400);
    const sent = await submitForm(client, '/account/sms/setup', { phone }, from);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('action="/account/sms/confirm"');
    const code = await textedCode(server, phone);
    expect(
      (await submitForm(client, '/account/sms/confirm', { code }, { csrf: null })).status,
    ).toBe(403);
    expect((await factorsOf(client)).factors).toEqual([]);
    const wrongDigits = code === '000000' ? '111111' : '000000';
    expect(
      (await submitForm(client, '/account/sms/confirm', { code: wrongDigits }, from)).status,
    ).toBe(401);
    const done = await submitForm(client, '/account/sms/confirm', { code }, from);
    expect(done.status).toBe(303);
    const [factor] = (await factorsOf(client)).factors;
    expect(factor?.method).toBe('sms');
    const removed = await submitForm(client, `/account/sms/${factor?.id}/remove`, {}, from);
    expect(removed.headers.get('location')).toBe('/account/security?notice=sms_removed');
    expect((await factorsOf(client)).factors).toEqual([]);
  });

  it("answers another user's number with 404 and keeps it", async () => {
    const owner = await signedInUser(server);
    const attacker = await signedInUser(server);
    const factorId = await enrolSms(server, owner.client, uniquePhone());
    expect(
      (await submitForm(attacker.client, `/account/sms/${factorId}/remove`, {}, from)).status,
    ).toBe(404);
    expect((await factorsOf(owner.client)).factors).toHaveLength(1);
  });
});

describe('with SMS off', () => {
  it('shows no SMS section and has no SMS pages', async () => {
    const bare = await startTestServer();
    try {
      const { client } = await signedInUser(bare);
      const page = await openPage(client, '/account/security');
      expect(page.text).not.toContain('Text message (SMS)');
      expect(
        (await submitForm(client, '/account/sms/setup', { phone: uniquePhone() }, from)).status,
      ).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});

describe('a session that must enrol a second factor first', () => {
  it('lands on the security page, enrols there, and is let go after proving the new factor', async () => {
    const strict = await startTestServer({ settings: { mfa: { requiredForRoles: ['admin'] } } });
    try {
      const { client } = await signedInUser(strict, { roles: ['admin'] });
      const account = await openPage(client, '/account');
      expect(account.headers.get('location')).toBe('/account/security');
      const page = await openPage(client, '/account/security');
      expect(page.status).toBe(200);
      expect(page.text).toContain('needs a second factor');
      const setup = await submitForm(client, '/account/totp/setup', {}, from);
      const secret = secretOf(setup.text);
      const confirmed = await submitForm(
        client,
        '/account/totp/confirm',
        { code: codeNow(strict, secret) },
        from,
      );
      expect(confirmed.headers.get('location')).toBe('/reauthenticate');
      strict.clock.advance(30_000);
      const proved = await submitForm(
        client,
        '/reauthenticate',
        { method: 'totp', code: codeNow(strict, secret) },
        { from: '/reauthenticate' },
      );
      expect(proved.status).toBe(303);
      expect(proved.headers.get('location')).toBe('/account');
      expect((await openPage(client, '/account')).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});

describe('the TOTP confirm form', () => {
  it('adds one app of 10 parallel posts of the same right code', async () => {
    const { client } = await signedInUser(server);
    const secret = secretOf((await submitForm(client, '/account/totp/setup', {}, from)).text);
    const code = codeNow(server, secret);
    const csrf = csrfFieldOf((await openPage(client, '/account/security')).text);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        submitForm(client, '/account/totp/confirm', { code }, { csrf }),
      ),
    );
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    for (const answer of answers) expect(answer.status).toBeLessThan(500);
    expect((await factorsOf(client)).factors).toHaveLength(1);
  });
});
