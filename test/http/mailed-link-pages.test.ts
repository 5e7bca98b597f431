import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { mailFor, totpUser } from '../helpers/mfa.js';
import { mailedToken, outbox, tokenOf } from '../helpers/outbox.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { within } from '../helpers/tokens.js';

const SESSION = '__Host-gh_session';
const CHALLENGE = '__Host-gh_challenge';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const apiLogin = (email: string, password: string) =>
  new Client(server.url).post('/auth/login', { email, password });

async function tokenMailed(email: string, subject: RegExp): Promise<string> {
  const mail = await mailFor(server, email, subject);
  const token = tokenOf(mail);
  if (!token) throw new Error(`no mail to ${email} matching ${subject}`);
  return token;
}

/** Ten browsers, each with the page open, post its form at once. */
async function tenAtOnce(page: string, action: string, fields: Record<string, string>) {
  const browsers = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const client = new Client(server.url);
      const csrf = csrfFieldOf((await openPage(client, page)).text);
      return { client, csrf };
    }),
  );
  const answers = await Promise.all(
    browsers.map(({ client, csrf }) => submitForm(client, action, fields, { csrf })),
  );
  return { browsers, answers };
}

const locations = (answers: Response[]) => answers.map((a) => a.headers.get('location') ?? '');

describe('/signup', () => {
  it('creates the account, mails a verification link and shows "check your mail"', async () => {
    const email = uniqueEmail('signup');
    const client = new Client(server.url);
    const page = await openPage(client, '/signup');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/login"');
    const answer = await submitForm(client, '/signup', { email, password: strongPassword });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/signup/check-email');
    expect((await openPage(client, '/signup/check-email')).text).toContain('Check your mail');
    expect(await mailedToken(server, email, /Verify your email/)).toBeTruthy();
    expect((await apiLogin(email, strongPassword)).status).toBe(200);
  });

  it('answers an existing email exactly as a new one (no enumeration), and mails its owner', async () => {
    const { email } = await signedInUser(server);
    const fresh = await submitForm(new Client(server.url), '/signup', {
      email: uniqueEmail('fresh'),
      password: strongPassword,
    });
    const taken = await submitForm(new Client(server.url), '/signup', {
      email,
      password: 'another long passphrase 77',
    });
    expect(taken.status).toBe(fresh.status);
    expect(taken.headers.get('location')).toBe(fresh.headers.get('location'));
    expect((await outbox(server, email)).some((m) => /tried to register/.test(m.subject))).toBe(
      true,
    );
    expect((await apiLogin(email, 'another long passphrase 77')).status).toBe(401);
  });

  it("shows core's weak-password message on the field, never echoing the password", async () => {
    const email = uniqueEmail('weak');
    const answer = await submitForm(new Client(server.url), '/signup', {
      email,
      password: 'password',
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/This password is too (short|common)/);
    expect(answer.text).toContain('aria-invalid="true"');
    expect(answer.text).toContain(`value="${email}"`);
    expect(answer.text).not.toContain('value="password"');
    expect((await apiLogin(email, 'password')).status).toBe(401);
  });

  it('refuses a post without the CSRF field (no account made); bad input is the form again', async () => {
    const email = uniqueEmail('csrf');
    const forged = await submitForm(
      new Client(server.url),
      '/signup',
      { email, password: strongPassword },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    expect((await apiLogin(email, strongPassword)).status).toBe(401);
    const bad = await submitForm(new Client(server.url), '/signup', {
      email: 'not an email',
      password: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
  });
});

describe('/forgot-password and /reset-password', () => {
  it('answers the same for a known and an unknown email', async () => {
    const { email } = await signedInUser(server);
    const known = await submitForm(new Client(server.url), '/forgot-password', { email });
    const unknown = await submitForm(new Client(server.url), '/forgot-password', {
      email: uniqueEmail('nobody'),
    });
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(known.headers.get('location')).toBe('/forgot-password?notice=reset_requested');
    expect(unknown.headers.get('location')).toBe(known.headers.get('location'));
    const shown = await openPage(new Client(server.url), '/forgot-password?notice=reset_requested');
    expect(shown.text).toContain('If an account has this email');
    const forged = await submitForm(
      new Client(server.url),
      '/forgot-password',
      { email },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    const bad = await submitForm(new Client(server.url), '/forgot-password', { email: 'x' });
    expect(bad.status).toBe(400);
  });

  it('sets a new password once of ten parallel posts, with no token in the Location', async () => {
    const { email, password } = await signedInUser(server);
    await submitForm(new Client(server.url), '/forgot-password', { email });
    const token = await tokenMailed(email, /Reset your password/);
    const page = `/reset-password?token=${encodeURIComponent(token)}`;
    expect((await openPage(new Client(server.url), page)).status).toBe(200);
    // Without the CSRF field, or with a weak password: nothing changes and the link still works.
    const client = new Client(server.url);
    const forged = await submitForm(
      client,
      '/reset-password',
      { token, password: 'a brand new passphrase 1' },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    const weak = await submitForm(
      client,
      '/reset-password',
      { token, password: 'password' },
      { from: page },
    );
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('aria-invalid="true"');
    expect((await apiLogin(email, password)).status).toBe(200);

    const newPassword = 'a brand new passphrase 1';
    const { answers } = await tenAtOnce(page, '/reset-password', { token, password: newPassword });
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([303, ...Array(9).fill(400)]);
    expect(locations(answers).filter(Boolean)).toEqual(['/login?notice=password_reset']);
    for (const answer of answers) expect(answer.headers.get('location') ?? '').not.toContain(token);
    expect(answers.find((a) => a.status === 400)?.text).toContain(
      'This link is not valid any more',
    );
    expect((await apiLogin(email, newPassword)).status).toBe(200);
    expect((await apiLogin(email, password)).status).toBe(401);
  });

  it('answers a link without a token, or a made-up one, with the way to a new link', async () => {
    const missing = await openPage(new Client(server.url), '/reset-password');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('href="/forgot-password"');
    const madeUp = await submitForm(
      new Client(server.url),
      '/reset-password',
      { token: 'made-up-token', password: 'a brand new passphrase 1' },
      { from: '/forgot-password' },
    );
    expect(madeUp.status).toBe(400);
    expect(madeUp.text).toContain('This link is not valid any more');
  });
});

describe('/verify-email', () => {
  it('never consumes on GET (mail scanners), and of ten parallel posts one confirms', async () => {
    const { email, client } = await signedInUser(server);
    const token = await mailedToken(server, email, /Verify your email/);
    const page = `/verify-email?token=${encodeURIComponent(token)}`;
    for (let i = 0; i < 3; i++) {
      const shown = await openPage(new Client(server.url), page);
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('Confirm my email');
    }
    const forged = await submitForm(
      new Client(server.url),
      '/verify-email',
      { token },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    const me = async () =>
      (await client.get<{ user: { emailVerified: boolean } }>('/auth/me')).body.user.emailVerified;
    expect(await me()).toBe(false);
    const { answers } = await tenAtOnce(page, '/verify-email', { token });
    expect(answers.map((a) => a.status).sort()).toEqual([303, ...Array(9).fill(400)]);
    expect(locations(answers).filter(Boolean)).toEqual(['/login?notice=email_verified']);
    expect(await me()).toBe(true);
    const bad = await submitForm(new Client(server.url), '/verify-email', {}, { from: page });
    expect(bad.status).toBe(400);
  });
});

describe('/login/email-link and /magic-link', () => {
  it('asks for a link with the same answer for any email', async () => {
    const { email } = await signedInUser(server);
    const known = await submitForm(new Client(server.url), '/login/email-link', { email });
    const unknown = await submitForm(new Client(server.url), '/login/email-link', {
      email: uniqueEmail('nobody'),
    });
    expect(known.status).toBe(303);
    expect(known.headers.get('location')).toBe('/login/email-link?notice=magic_link_requested');
    expect(unknown.headers.get('location')).toBe(known.headers.get('location'));
    const forged = await submitForm(
      new Client(server.url),
      '/login/email-link',
      { email },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    const bad = await submitForm(new Client(server.url), '/login/email-link', { email: 'x' });
    expect(bad.status).toBe(400);
  });

  it('signs in once of ten parallel posts; GET never consumes; no token in the Location', async () => {
    const { email } = await signedInUser(server);
    await submitForm(new Client(server.url), '/login/email-link', { email });
    const token = await tokenMailed(email, /sign-in link/);
    const page = `/magic-link?token=${encodeURIComponent(token)}`;
    for (let i = 0; i < 3; i++)
      expect((await openPage(new Client(server.url), page)).text).toContain('Continue signing in');
    const forged = await submitForm(
      new Client(server.url),
      '/magic-link',
      { token },
      { csrf: null },
    );
    expect(forged.status).toBe(403);
    const { browsers, answers } = await tenAtOnce(page, '/magic-link', { token });
    expect(answers.map((a) => a.status).sort()).toEqual([303, ...Array(9).fill(400)]);
    expect(locations(answers).filter(Boolean)).toEqual(['/account']);
    const winners = browsers.filter(({ client }) => client.cookies.has(SESSION));
    expect(winners).toHaveLength(1);
    expect((await winners[0]?.client.get('/auth/me'))?.status).toBe(200);
  });

  it('hands an account with a second factor to /login/mfa', async () => {
    const { email } = await totpUser(server);
    await submitForm(new Client(server.url), '/login/email-link', { email });
    const token = await tokenMailed(email, /sign-in link/);
    const client = new Client(server.url);
    const answer = await submitForm(
      client,
      '/magic-link',
      { token },
      { from: `/magic-link?token=${encodeURIComponent(token)}` },
    );
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/login/mfa');
    expect(client.cookies.has(CHALLENGE)).toBe(true);
    expect(client.cookies.has(SESSION)).toBe(false);
    expect((await openPage(client, '/login/mfa')).text).toContain('Authenticator app');
  });
});

const verifyMails = async (email: string) =>
  (await outbox(server, email)).filter((m) => /Verify your email/.test(m.subject)).length;

describe('/verify-email/resend', () => {
  it('answers the same for any email when signed out, and mails only an account to confirm', async () => {
    const { email } = await signedInUser(server);
    expect(await verifyMails(email)).toBe(1);
    const page = await openPage(new Client(server.url), '/verify-email/resend');
    expect(page.text).toContain('name="email"');
    const known = await submitForm(new Client(server.url), '/verify-email/resend', { email });
    const unknown = await submitForm(new Client(server.url), '/verify-email/resend', {
      email: uniqueEmail('nobody'),
    });
    expect(known.status).toBe(303);
    expect(known.headers.get('location')).toBe('/verify-email/resend?notice=verification_resent');
    expect(unknown.headers.get('location')).toBe(known.headers.get('location'));
    expect(await within(5000, async () => (await verifyMails(email)) === 2)).toBe(true);
    const newest = await mailedToken(server, email, /Verify your email/);
    const confirmed = await submitForm(
      new Client(server.url),
      '/verify-email',
      { token: newest },
      { from: '/verify-email/resend' },
    );
    expect(confirmed.headers.get('location')).toBe('/login?notice=email_verified');
  });

  it('sends a signed-in person the link at their own address, until it is confirmed', async () => {
    const { email, client } = await signedInUser(server);
    const page = await openPage(client, '/verify-email/resend');
    expect(page.text).not.toContain('name="email"');
    expect(page.text).toContain(email);
    const forged = await submitForm(client, '/verify-email/resend', {}, { csrf: null });
    expect(forged.status).toBe(403);
    expect(await verifyMails(email)).toBe(1);
    const sent = await submitForm(client, '/verify-email/resend', {});
    expect(sent.status).toBe(303);
    expect(await verifyMails(email)).toBe(2);
    const token = await mailedToken(server, email, /Verify your email/);
    await submitForm(client, '/verify-email', { token }, { from: '/verify-email/resend' });
    const again = await submitForm(client, '/verify-email/resend', {});
    expect(again.status).toBe(409);
    expect(again.text).toContain('Your email address is already confirmed.');
    expect(await verifyMails(email)).toBe(2);
  });

  it('is the form again for bad input, with nothing sent', async () => {
    const bad = await submitForm(new Client(server.url), '/verify-email/resend', { email: 'x' });
    expect(bad.status).toBe(400);
    const none = await submitForm(new Client(server.url), '/verify-email/resend', {});
    expect(none.status).toBe(400);
    expect(none.text).toContain('aria-invalid="true"');
  });
});

describe('requireVerifiedEmail on the sign-in page', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ settings: { requireVerifiedEmail: true } });
  });
  afterAll(async () => strict?.stop());

  it('refuses an unconfirmed email on the form with the way to a new link, then signs in once confirmed', async () => {
    const email = uniqueEmail('strict');
    const client = new Client(strict.url);
    await submitForm(client, '/signup', { email, password: strongPassword });
    const refused = await submitForm(client, '/login', { email, password: strongPassword });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Confirm your email address first');
    expect(refused.text).toContain('href="/verify-email/resend"');
    expect(client.cookies.has(SESSION)).toBe(false);
    const token = await mailedToken(strict, email, /Verify your email/);
    await submitForm(client, '/verify-email', { token }, { from: '/login' });
    const done = await submitForm(client, '/login', { email, password: strongPassword });
    expect(done.status).toBe(303);
    expect(client.cookies.has(SESSION)).toBe(true);
  });
});
