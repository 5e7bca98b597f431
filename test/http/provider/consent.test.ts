/**
 * The consent screen of an untrusted app: it names the app and what it asks
 * for; "Do not allow" sends access_denied back; what was allowed is not asked
 * again in the same session, what is new is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser } from '../../helpers/accounts.js';
import { auditOf } from '../../helpers/mfa.js';
import { submitForm } from '../../helpers/pages.js';
import {
  APP_CALLBACK,
  answerConsent,
  authorizeInBrowser,
  follow,
  newBrowser,
  pathOf,
  redeem,
  relyingParty,
  signInOnPage,
  startAuthorization,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
});
afterAll(() => server.stop());

const atApp = (url: URL | null) => (url ? `${url.origin}${url.pathname}` : null);

/** A browser signed in through the login page, stopped at the consent screen of `rp`. */
async function atConsent(
  rp: Awaited<ReturnType<typeof relyingParty>>,
  params: Record<string, string> = {},
) {
  const someone = await registeredUser(server);
  const browser = newBrowser(server);
  const started = await startAuthorization(rp, params);
  const login = await follow(browser, pathOf(started.url));
  expect(login.path).toMatch(/^\/login\?/);
  const consent = await follow(
    browser,
    await signInOnPage(browser, login.path, someone.email, someone.password),
  );
  expect(consent.path).toMatch(/^\/authorize\//);
  return { someone, browser, started, consent };
}

describe('consent', () => {
  it('lists the app and every scope it asks for', async () => {
    const rp = await relyingParty(server, { name: 'Scope Reader' });
    const { someone, consent } = await atConsent(rp, { scope: 'openid email profile roles' });
    const text = consent.page?.text ?? '';
    expect(text).toContain('Scope Reader wants to use your account');
    expect(text).toContain(`You are signed in as ${someone.email}`);
    expect(text).toContain('Know who you are');
    expect(text).toContain('See your email address');
    expect(text).toContain('See your name');
    expect(text).toContain('See your roles');
    expect(text).not.toContain('Stay signed in when you are not using it');
  });

  it('“Do not allow” → access_denied at the app’s redirect URI, with its state, and no code', async () => {
    const rp = await relyingParty(server);
    const { someone, browser, started, consent } = await atConsent(rp);
    const back = await follow(browser, await answerConsent(browser, consent.path, 'deny'));
    expect(atApp(back.leftTo)).toBe(APP_CALLBACK);
    expect(back.leftTo?.searchParams.get('error')).toBe('access_denied');
    expect(back.leftTo?.searchParams.get('state')).toBe(started.state);
    expect(back.leftTo?.searchParams.get('code')).toBeNull();
    expect(await auditOf(server, someone.id, 'app_authorized')).toEqual([
      {
        type: 'app_authorized',
        outcome: 'failure',
        detail: { clientId: rp.clientId, scope: 'openid email' },
      },
    ]);
  });

  it('“Allow” is in the audit log: which app, what it asked for', async () => {
    const rp = await relyingParty(server);
    const { someone, browser, consent } = await atConsent(rp, { scope: 'openid email roles' });
    const back = await follow(browser, await answerConsent(browser, consent.path, 'allow'));
    expect(back.leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    expect(await auditOf(server, someone.id, 'app_authorized')).toEqual([
      {
        type: 'app_authorized',
        outcome: 'success',
        detail: { clientId: rp.clientId, scope: 'openid email roles' },
      },
    ]);
  });

  it('after the consent form, a page moves on to the provider: a redirect would break form-action', async () => {
    const rp = await relyingParty(server);
    const { browser, consent } = await atConsent(rp);
    const answer = await submitForm(browser, consent.path, { answer: 'allow' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('location')).toBeNull();
    const refresh = answer.headers.get('refresh') ?? '';
    expect(refresh).toMatch(/^0;url=\/oauth2\/auth\/[A-Za-z0-9_-]+$/);
    // The same way on as a link, for a browser that ignores the header.
    expect(answer.text).toContain(`href="${refresh.slice('0;url='.length)}"`);
  });

  it('the same scopes again: no question; a new scope: asked again, for the new one only', async () => {
    const rp = await relyingParty(server, { name: 'Growing App' });
    const { someone, browser, consent } = await atConsent(rp, { scope: 'openid email' });
    const first = await follow(browser, await answerConsent(browser, consent.path, 'allow'));
    expect(atApp(first.leftTo)).toBe(APP_CALLBACK);

    const same = await startAuthorization(rp, { scope: 'openid email' });
    const straight = await follow(browser, pathOf(same.url));
    expect(atApp(straight.leftTo)).toBe(APP_CALLBACK);
    expect((await redeem(rp, straight.leftTo as URL, same)).claims()?.sub).toBe(someone.id);

    const more = await startAuthorization(rp, { scope: 'openid email roles' });
    const asked = await follow(browser, pathOf(more.url));
    expect(asked.path).toMatch(/^\/authorize\//);
    expect(asked.page?.text).toContain('See your roles');
    expect(asked.page?.text).not.toContain('See your email address');
    const back = await follow(browser, await answerConsent(browser, asked.path, 'allow'));
    const tokens = await redeem(rp, back.leftTo as URL, more);
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'roles']);
  });

  it('a new session asks again: consent is bound to the Gatehouse session it was given under', async () => {
    const rp = await relyingParty(server);
    const someone = await registeredUser(server);
    const first = newBrowser(server);
    await authorizeInBrowser(first, (await startAuthorization(rp)).url, someone);
    const second = newBrowser(server);
    const started = await startAuthorization(rp);
    const login = await follow(second, pathOf(started.url));
    const at = await follow(
      second,
      await signInOnPage(second, login.path, someone.email, someone.password),
    );
    expect(at.path).toMatch(/^\/authorize\//);
    expect(at.page?.text).toContain('name="answer" value="allow"');
  });
});
