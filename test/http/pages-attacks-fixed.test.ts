import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { csrfFieldOf, openPage, submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Findings of the attacker pass over the pages foundation, each failing before its fix. */

let server: TestServer;
let strict: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  strict = await startTestServer({ settings: { requireVerifiedEmail: true } });
});
afterAll(async () => {
  await strict?.stop();
  await server?.stop();
});

describe('fixed findings', () => {
  // Fastify's frameworkErrors answer before any hook: no helmet headers at all.
  it('an address the router cannot read (bad percent-encoding) carries CSP, frame and sniffing headers', async () => {
    for (const path of ['/login%ZZ', '/%', '/auth/me%ZZ']) {
      const answer = await openPage(new Client(server.url), path);
      expect(answer.status, path).toBe(400);
      expect(answer.headers.get('content-security-policy') ?? '', path).toContain(
        "frame-ancestors 'none'",
      );
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('x-frame-options'), path).toMatch(/^(DENY|SAMEORIGIN)$/);
    }
  });

  // email_not_verified is not in strings.errors.byCode: the page shows the core's API message.
  it('an unverified account on the sign-in page reads what to do in words, not an API route', async () => {
    const email = uniqueEmail('unverified-words');
    const created = await new Client(strict.url).post('/auth/register', {
      email,
      password: strongPassword,
    });
    expect(created.status).toBe(201);
    const answer = await submitForm(new Client(strict.url), '/login', {
      email,
      password: strongPassword,
    });
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('POST /auth/');
    expect(answer.text).not.toContain('/auth/email/verify/resend');
  });

  it('a pre-session form token dies after half a day, and a sign-in retires it', async () => {
    const email = uniqueEmail('form-token');
    await new Client(server.url).post('/auth/register', { email, password: strongPassword });
    const client = new Client(server.url);
    const old = csrfFieldOf((await openPage(client, '/login')).text);
    server.clock.advance(12 * 3600 * 1000 + 1000);
    const stale = await submitForm(
      client,
      '/login',
      { email, password: strongPassword },
      { csrf: old },
    );
    expect(stale.status).toBe(403);
    const fresh = csrfFieldOf((await openPage(client, '/login')).text);
    expect(fresh).not.toBe(old);
    const signedIn = await submitForm(
      client,
      '/login',
      { email, password: strongPassword },
      { csrf: fresh },
    );
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.getSetCookie().some((c) => /^__Host-gh_form=;/.test(c))).toBe(true);
  });
});
