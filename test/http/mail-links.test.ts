import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { enrolTotp, mailFor } from '../helpers/mfa.js';
import { type OutboxMessage, outbox, tokenOf } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PUBLIC_URL = 'https://auth.example.test';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { publicUrl: PUBLIC_URL } });
});
afterAll(async () => server.stop());

/** The mail's link to `path` (in the text), present the same in the HTML part's href. */
function linkIn(mail: OutboxMessage | undefined, path: string): string {
  expect(mail, `a mail linking to ${path}`).toBeDefined();
  const escaped = path.replace(/[?]/g, '\\?');
  const link = mail?.text.match(new RegExp(`${PUBLIC_URL}${escaped}\\S*`))?.[0];
  expect(link, mail?.text).toBeDefined();
  expect(mail?.html).toContain(`href="${link}"`);
  expect(mail?.html).toMatch(/^<!doctype html>/);
  return link ?? '';
}

async function registered(client = new Client(server.url)) {
  const email = uniqueEmail('links');
  expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
    201,
  );
  return { email, client };
}

describe('mails link to the hosted pages under publicUrl, with a token the JSON API takes', () => {
  it('verify email: /verify-email?token=', async () => {
    const { email, client } = await registered();
    const mail = await mailFor(server, email, /verify/i);
    const link = linkIn(mail, '/verify-email?token=');
    expect(link).toBe(`${PUBLIC_URL}/verify-email?token=${tokenOf(mail)}`);
    expect(mail?.text).toMatch(/valid 24 hours/);
    const token = new URL(link).searchParams.get('token');
    expect((await client.post('/auth/email/verify', { token })).status).toBe(200);
  });

  it('reset password: /reset-password?token=, then a "password changed" notice linking /account', async () => {
    const { email, client } = await registered();
    expect((await client.post('/auth/password/forgot', { email })).status).toBe(202);
    const mail = await mailFor(server, email, /reset/i);
    const token = new URL(linkIn(mail, '/reset-password?token=')).searchParams.get('token');
    expect(mail?.text).toMatch(/within 10 minutes/);
    const newPassword = 'another long passphrase for links';
    expect((await client.post('/auth/password/reset', { token, newPassword })).status).toBe(204);
    const notice = await mailFor(server, email, /password was changed/);
    expect(linkIn(notice, '/account')).toBe(`${PUBLIC_URL}/account`);
    expect(notice?.text).toMatch(/changed from 127\.0\.0\.1/);
  });

  it('magic link: /magic-link?token=', async () => {
    const { email, client } = await registered();
    expect((await client.post('/auth/magic-link', { email })).status).toBe(202);
    const mail = await mailFor(server, email, /sign-in link/);
    const token = new URL(linkIn(mail, '/magic-link?token=')).searchParams.get('token');
    const signedIn = await client.post('/auth/magic-link/verify', { token });
    expect(signedIn.status, signedIn.text).toBe(200);
  });

  it('security notices (factor added, password changed) link /account; "already registered" links /login', async () => {
    const { email, client } = await registered();
    const session = new Client(server.url);
    const signedIn = await session.post<{ csrfToken: string }>('/auth/login', {
      email,
      password: strongPassword,
    });
    expect(signedIn.status).toBe(200);
    session.csrfToken = signedIn.body.csrfToken;
    await enrolTotp(server, session);
    const added = await mailFor(server, email, /added to your account/);
    expect(linkIn(added, '/account')).toBe(`${PUBLIC_URL}/account`);
    expect(added?.text).toMatch(/A totp sign-in method/);
    const changed = await session.post('/auth/password/change', {
      currentPassword: strongPassword,
      newPassword: 'a changed passphrase for links',
    });
    expect(changed.status, changed.text).toBe(204);
    linkIn(await mailFor(server, email, /password was changed/), '/account');
    expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
      201,
    );
    linkIn(await mailFor(server, email, /tried to register/), '/login');
  });

  it('every mail has a subject, a text and an HTML part naming the recipient', async () => {
    const { email } = await registered();
    await mailFor(server, email, /verify/i);
    for (const mail of await outbox(server, email)) {
      expect(mail.subject).not.toBe('');
      expect(mail.text).toContain('Gatehouse');
      expect(mail.html).toContain(`sent to ${email}`);
    }
  });
});

describe('without publicUrl (development)', () => {
  it('links point at http://localhost:<port setting>', async () => {
    const email = uniqueEmail('dev');
    const dev = await startTestServer({ settings: { port: 0 } });
    try {
      const asked = await new Client(dev.url).post('/auth/register', {
        email,
        password: strongPassword,
      });
      expect(asked.status).toBe(201);
      const mail = await mailFor(dev, email, /verify/i);
      const port = dev.core.settings.port;
      expect(mail?.text).toContain(`http://localhost:${port}/verify-email?token=${tokenOf(mail)}`);
    } finally {
      await dev.stop();
    }
  });
});

describe('branding and escaping', () => {
  it('shows branding.productName raw in the text and HTML-escaped in the HTML', async () => {
    const productName = '<script>alert(1)</script> & Co';
    const branded = await startTestServer({
      settings: { publicUrl: PUBLIC_URL, branding: { productName } },
    });
    try {
      const email = `o'brien-${process.pid}@example.com`;
      const client = new Client(branded.url);
      expect(
        (await client.post('/auth/register', { email, password: strongPassword })).status,
      ).toBe(201);
      const mail = await mailFor(branded, email, /verify/i);
      expect(mail?.text).toContain(productName);
      expect(mail?.html).not.toContain('<script>');
      expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
      expect(mail?.html).toContain('sent to o&#39;brien-');
      expect(mail?.html).not.toContain("o'brien");
    } finally {
      await branded.stop();
    }
  });
});

describe('mail.templatesDir', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-templates-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('replaces the templates it holds; the others stay the defaults', async () => {
    const dir = folder({
      'verify_email.txt': 'Subject: Welcome to {{productName}}\n\nConfirm here: {{link}}\n',
      'verify_email.html': '<p>Welcome, {{email}}: <a href="{{link}}">confirm</a></p>',
    });
    const custom = await startTestServer({
      settings: {
        publicUrl: PUBLIC_URL,
        mail: { templatesDir: dir },
        branding: { productName: 'Acme' },
      },
    });
    try {
      const email = uniqueEmail('override');
      const client = new Client(custom.url);
      expect(
        (await client.post('/auth/register', { email, password: strongPassword })).status,
      ).toBe(201);
      const verify = await mailFor(custom, email, /Welcome to Acme/);
      const token = tokenOf(verify);
      expect(verify?.text).toBe(`Confirm here: ${PUBLIC_URL}/verify-email?token=${token}\n`);
      expect(verify?.html).toBe(
        `<p>Welcome, ${email}: <a href="${PUBLIC_URL}/verify-email?token=${token}">confirm</a></p>`,
      );
      expect((await client.post('/auth/email/verify', { token })).status).toBe(200);
      expect((await client.post('/auth/password/forgot', { email })).status).toBe(202);
      const reset = await mailFor(custom, email, /reset/i);
      expect(reset?.subject).toBe('Reset your password');
      expect(reset?.text).toMatch(/to choose a new password for Acme/);
    } finally {
      await custom.stop();
    }
  });

  it('stops start-up on an unknown placeholder, naming the file and line', async () => {
    const dir = folder({ 'magic_link.txt': 'Subject: Sign in\n\n{{link}}\n{{token}}\n' });
    await expect(startTestServer({ settings: { mail: { templatesDir: dir } } })).rejects.toThrow(
      `mail.templatesDir: ${join(dir, 'magic_link.txt')}:4: unknown placeholder {{token}} (magic_link takes`,
    );
  });
});
