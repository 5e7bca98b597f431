import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banUser } from '../../src/authn/admin.js';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { codeNow, nextCode, totpUser, wrongCode } from '../helpers/mfa.js';
import { openRedirects } from '../helpers/open-redirects.js';
import { openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enrolSms, textedCode, uniquePhone } from '../helpers/sms.js';

const CHALLENGE = '__Host-gh_challenge';
const SESSION = '__Host-gh_session';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { sms: { enabled: true, sendPerIp: 10_000 } } });
});
afterAll(async () => server?.stop());

const meta = { ip: null, userAgent: 'test' };
const signedIn = async (client: Client) => (await client.get('/auth/me')).status === 200;

/** The password step through the sign-in form, from a fresh browser. */
async function passwordPage(email: string, password: string, returnTo?: string) {
  const client = new Client(server.url);
  const from = returnTo ? `/login?return_to=${encodeURIComponent(returnTo)}` : '/login';
  const fields: Record<string, string> = { email, password };
  if (returnTo !== undefined) fields.return_to = returnTo;
  const answer = await submitForm(client, '/login', fields, { from });
  return { client, answer };
}

describe('the sign-in page', () => {
  it('shows too many wrong passwords on the form, with Retry-After, and signs nobody in', async () => {
    const { email, password } = await signedInUser(server);
    const client = new Client(server.url);
    let answer = await submitForm(client, '/login', { email, password: 'wrong password here' });
    for (let i = 0; i < 20 && answer.status !== 429; i++)
      answer = await submitForm(client, '/login', { email, password: 'wrong password here' });
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.text).toContain('Too many attempts. Try again in');
    expect(answer.text).toContain(`value="${email}"`);
    expect(answer.text).toContain('<form');
    // Even the right password is refused while the limit holds.
    const right = await submitForm(client, '/login', { email, password });
    expect(right.status).toBe(429);
    expect(client.cookies.has(SESSION)).toBe(false);
  });

  it('shows a suspended account on the form, and gives it no session', async () => {
    const { email, password, userId } = await signedInUser(server);
    await banUser(server.core, userId, { actorId: null }, meta);
    const { client, answer } = await passwordPage(email, password);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('This account is suspended.');
    expect(answer.text).toContain('name="password"');
    expect(client.cookies.has(SESSION)).toBe(false);
  });

  it('links sign-up, forgot password and the email link, and shows no provider until federation', async () => {
    const page = await openPage(new Client(server.url), '/login?return_to=%2Faccount%2Fsessions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/signup"');
    expect(page.text).toContain('href="/forgot-password"');
    expect(page.text).toContain('href="/login/email-link?return_to=%2Faccount%2Fsessions"');
    expect(page.text).not.toContain('class="providers"');
  });
});

describe('the challenge page', () => {
  it('takes the password step to /login/mfa with the challenge in a cookie only, then a TOTP code to return_to', async () => {
    const { email, password, secret } = await totpUser(server);
    const { client, answer } = await passwordPage(email, password, '/account/sessions');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/login/mfa?return_to=%2Faccount%2Fsessions');
    const challenge = client.cookies.get(CHALLENGE) ?? '';
    expect(challenge.length).toBeGreaterThan(20);
    expect(answer.headers.getSetCookie().join()).toMatch(/__Host-gh_challenge=.*HttpOnly/i);
    expect(client.cookies.has(SESSION)).toBe(false);
    const page = await openPage(client, '/login/mfa?return_to=%2Faccount%2Fsessions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Authenticator app');
    expect(page.text).not.toContain('Text message');
    expect(page.text).not.toContain('data-passkey-second-factor');
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: nextCode(server, secret), return_to: '/account/sessions' },
      { from: '/login/mfa' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/sessions');
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    expect(await signedIn(client)).toBe(true);
    for (const location of [answer.headers.get('location'), done.headers.get('location')])
      expect(location).not.toContain(challenge);
  });

  it('shows a wrong code on the form with the tries left; the used-up challenge sends back to /login', async () => {
    const { email, password, secret } = await totpUser(server);
    const { client } = await passwordPage(email, password);
    const wrong = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: wrongCode(server, secret) },
      { from: '/login/mfa' },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right.');
    expect(wrong.text).toContain('4 tries left.');
    expect(wrong.text).toContain('aria-invalid="true"');
    let last = wrong;
    for (let i = 0; i < 4; i++)
      last = await submitForm(
        client,
        '/login/mfa',
        { method: 'totp', code: wrongCode(server, secret) },
        { from: '/login' },
      );
    expect(last.status).toBe(303);
    expect(last.headers.get('location')).toBe('/login?notice=challenge_expired');
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    const notice = await openPage(client, '/login?notice=challenge_expired');
    expect(notice.text).toContain('That sign-in took too long or was already used.');
    expect(await signedIn(client)).toBe(false);
  });

  it('sends an expired, used or missing challenge back to /login with a notice, keeping return_to', async () => {
    const { email, password, secret } = await totpUser(server);
    const { client } = await passwordPage(email, password, '/account/sessions');
    const challenge = client.cookies.get(CHALLENGE) ?? '';
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: nextCode(server, secret) },
      { from: '/login/mfa' },
    );
    expect(done.status).toBe(303);
    const replay = new Client(server.url);
    replay.cookies.set(CHALLENGE, challenge);
    const used = await openPage(replay, '/login/mfa?return_to=%2Faccount%2Fsessions');
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe(
      '/login?return_to=%2Faccount%2Fsessions&notice=challenge_expired',
    );
    const missing = await openPage(new Client(server.url), '/login/mfa');
    expect(missing.headers.get('location')).toBe('/login?notice=challenge_expired');

    const late = await passwordPage(email, password);
    server.clock.advance((server.core.settings.mfa.challengeLifetimeSeconds + 1) * 1000);
    const expired = await submitForm(
      late.client,
      '/login/mfa',
      { method: 'totp', code: codeNow(server, secret) },
      { from: '/login' },
    );
    expect(expired.headers.get('location')).toBe('/login?notice=challenge_expired');
    expect(await signedIn(late.client)).toBe(false);
  });

  it('refuses a code post without the CSRF field and spends no attempt; bad input is the form again', async () => {
    const { email, password, secret } = await totpUser(server);
    const { client } = await passwordPage(email, password);
    const code = nextCode(server, secret);
    const forged = await submitForm(client, '/login/mfa', { method: 'totp', code }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(await signedIn(client)).toBe(false);
    const bad = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: '' },
      { from: '/login/mfa' },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('5 tries left.');
    const odd = await submitForm(
      client,
      '/login/mfa',
      { method: 'nonsense', code: '123456' },
      { from: '/login/mfa' },
    );
    expect(odd.status).toBe(400);
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code },
      { from: '/login/mfa' },
    );
    expect(done.status).toBe(303);
    expect(await signedIn(client)).toBe(true);
  });

  it('offers recovery codes beside the app, and one signs in', async () => {
    const { email, password, client: owner } = await totpUser(server);
    const codes = await owner.post<{ codes: string[] }>('/auth/mfa/recovery-codes');
    expect(codes.status).toBe(201);
    const { client } = await passwordPage(email, password);
    const page = await openPage(client, '/login/mfa');
    expect(page.text).toContain('Recovery code');
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'recovery_code', code: codes.body.codes[0] ?? '' },
      { from: '/login/mfa' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account');
    expect(await signedIn(client)).toBe(true);
  });

  it('texts a code on demand for an account with SMS, and the code signs in', async () => {
    const user = await signedInUser(server);
    const phone = uniquePhone();
    await enrolSms(server, user.client, phone);
    const { client } = await passwordPage(user.email, user.password, '/account/sessions');
    const page = await openPage(client, '/login/mfa?return_to=%2Faccount%2Fsessions');
    expect(page.text).toContain('Text me a code');
    const noCsrf = await submitForm(client, '/login/mfa/sms/send', {}, { csrf: null });
    expect(noCsrf.status).toBe(403);
    const sent = await submitForm(
      client,
      '/login/mfa/sms/send',
      { return_to: '/account/sessions' },
      { from: '/login/mfa' },
    );
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(
      '/login/mfa?return_to=%2Faccount%2Fsessions&notice=sms_sent',
    );
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'sms', code: await textedCode(server, phone), return_to: '/account/sessions' },
      { from: '/login/mfa' },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/sessions');
    expect(await signedIn(client)).toBe(true);
  });

  it('takes a challenge handed over by the passkey script into the cookie, only with the form token', async () => {
    const { email, password, secret } = await totpUser(server);
    const api = await new Client(server.url).post<{ challenge: string }>('/auth/login', {
      email,
      password,
    });
    const challenge = api.body.challenge;
    const client = new Client(server.url);
    const forged = await submitForm(client, '/login/mfa/start', { challenge }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    const handed = await submitForm(
      client,
      '/login/mfa/start',
      { challenge, return_to: '/account/sessions' },
      { from: '/login' },
    );
    expect(handed.status).toBe(303);
    expect(handed.headers.get('location')).toBe('/login/mfa?return_to=%2Faccount%2Fsessions');
    expect(handed.headers.get('location')).not.toContain(challenge);
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: nextCode(server, secret), return_to: '/account/sessions' },
      { from: '/login/mfa' },
    );
    expect(done.headers.get('location')).toBe('/account/sessions');
  });
});

describe('return_to through /login → /login/mfa → the final redirect', () => {
  it.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    '/%2F/evil.example',
    'javascript:alert(1)',
  ])('stays on this site for %j, end to end', async (evil) => {
    const { email, password, secret } = await totpUser(server);
    const { client, answer } = await passwordPage(email, password, evil);
    expect(answer.headers.get('location')).toBe('/login/mfa');
    const done = await submitForm(
      client,
      '/login/mfa',
      { method: 'totp', code: nextCode(server, secret), return_to: evil },
      { from: `/login/mfa?return_to=${encodeURIComponent(evil)}` },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account');
  });

  it('never puts a refused return_to of the corpus in the challenge page', async () => {
    const { email, password } = await totpUser(server);
    const { client } = await passwordPage(email, password);
    for (const evil of openRedirects) {
      const page = await openPage(client, `/login/mfa?return_to=${encodeURIComponent(evil)}`);
      if (page.status === 400) continue; // too long for the query: the bad-link page
      expect(page.status, evil).toBe(200);
      expect(page.text).toContain('name="return_to" value="/account"');
      expect(page.text).not.toContain('evil.example');
    }
  });
});

describe('odd input on every sign-in page', () => {
  const gets = [
    '/login/mfa',
    '/signup',
    '/signup/check-email',
    '/forgot-password',
    '/reset-password',
    '/verify-email',
    '/verify-email/resend',
    '/login/email-link',
    '/magic-link',
  ];
  const queries = [
    'token[]=x',
    'token[a]=b',
    'token=a&token=b',
    'token=%00',
    'token=%',
    `token=${'t'.repeat(3000)}`,
    'return_to[]=x',
    `return_to=${'a'.repeat(3000)}`,
    '__proto__[x]=1',
  ];
  const posts = [
    '/login/mfa',
    '/login/mfa/sms/send',
    '/login/mfa/start',
    '/signup',
    '/forgot-password',
    '/reset-password',
    '/verify-email',
    '/verify-email/resend',
    '/login/email-link',
    '/magic-link',
  ];
  const bodies: Record<string, string>[] = [
    {},
    { token: '%00' },
    { token: 't'.repeat(3000) },
    { email: 'a@b.co', password: 'x'.repeat(5000) },
    { email: `${'a'.repeat(300)}@b.co` },
    { method: '__proto__', code: '1' },
    { method: 'webauthn', code: '123456' },
    { method: 'totp', code: 'c'.repeat(500) },
    { challenge: '\u0000' },
    { challenge: 'c'.repeat(3000) },
    { return_to: '\r\nLocation: https://evil.example' },
  ];

  it('answers with a page or a 4xx, never a 5xx, with or without a challenge cookie', async () => {
    const { email, password } = await totpUser(server);
    const withChallenge = (await passwordPage(email, password)).client;
    const oddCookie = new Client(server.url);
    oddCookie.cookies.set(CHALLENGE, '%00');
    for (const client of [new Client(server.url), withChallenge, oddCookie]) {
      for (const path of gets)
        for (const query of queries) {
          const answer = await openPage(client, `${path}?${query}`);
          expect(answer.status, `GET ${path}?${query}`).toBeLessThan(500);
        }
      for (const path of posts)
        for (const body of bodies) {
          const answer = await submitForm(client, path, body, { from: '/login' });
          expect(answer.status, `POST ${path} ${JSON.stringify(body).slice(0, 80)}`).toBeLessThan(
            500,
          );
          expect(answer.headers.get('location') ?? '').not.toMatch(/evil|\r|\n/);
        }
    }
  });
});
