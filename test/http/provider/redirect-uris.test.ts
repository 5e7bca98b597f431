/**
 * Redirect URIs are matched exactly: a near-miss of a registered URI is
 * refused on Gatehouse's own error page, never redirected to (it would hand
 * the code, or an error, to whoever owns the near-miss). A code only redeems
 * with the redirect URI it was issued for, and bad URIs are refused at registration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, listClients } from '../../../src/provider/clients.js';
import {
  expectErrorPage,
  expectOauthError,
  issuedCode,
  openProviderPage,
  redeemCode,
} from '../../helpers/provider-attacks.js';
import { relyingParty } from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const REGISTERED = 'https://app.example/cb';

/** Each differs from REGISTERED in one way; a browser would take several of them to another host. */
const NEAR_MISSES: ReadonlyArray<[what: string, uri: string]> = [
  ['trailing slash', 'https://app.example/cb/'],
  ['host in upper case', 'https://APP.example/cb'],
  ['scheme in upper case', 'HTTPS://app.example/cb'],
  ['path in upper case', 'https://app.example/CB'],
  ['extra path segment', 'https://app.example/cb/more'],
  ['longer last segment', 'https://app.example/cbx'],
  ['shorter path', 'https://app.example/c'],
  ['no path', 'https://app.example'],
  ['root path', 'https://app.example/'],
  ['extra query', 'https://app.example/cb?next=https://evil.example'],
  ['empty query', 'https://app.example/cb?'],
  ['fragment', 'https://app.example/cb#x'],
  ['empty fragment', 'https://app.example/cb#'],
  ['userinfo naming the app, host evil', 'https://app.example@evil.example/cb'],
  ['userinfo before the app host', 'https://evil@app.example/cb'],
  ['userinfo with password', 'https://evil:pw@app.example/cb'],
  ['default port spelled out', 'https://app.example:443/cb'],
  ['other port', 'https://app.example:8443/cb'],
  ['http scheme', 'http://app.example/cb'],
  ['other scheme', 'wss://app.example/cb'],
  ['javascript scheme', 'javascript:alert(document.domain)//https://app.example/cb'],
  ['percent-encoded path character', 'https://app.example/%63b'],
  ['encoded slash after the path', 'https://app.example/cb%2F'],
  ['encoded traversal', 'https://app.example/cb%2F..%2F..%2Fevil'],
  ['encoded slash in the host', 'https://app.example%2Fcb'],
  ['encoded slash before userinfo', 'https://app.example%2F@evil.example/cb'],
  ['encoded NUL', 'https://app.example/cb%00'],
  ['encoded space', 'https://app.example/cb%20'],
  ['dot segment up', 'https://app.example/x/../cb'],
  ['dot segment here', 'https://app.example/./cb'],
  ['trailing dot segment', 'https://app.example/cb/.'],
  ['trailing dot-dot segment', 'https://app.example/cb/..'],
  ['IDN lookalike (Cyrillic а)', 'https://аpp.example/cb'],
  ['punycode of the lookalike', 'https://xn--pp-6kc.example/cb'],
  ['trailing dot in the host', 'https://app.example./cb'],
  ['subdomain', 'https://evil.app.example/cb'],
  ['the app host as a subdomain', 'https://app.example.evil.example/cb'],
  ['double slash in the path', 'https://app.example//cb'],
  ['scheme-relative', '//app.example/cb'],
  ['three slashes', 'https:///app.example/cb'],
  ['no slashes', 'https:app.example/cb'],
  ['one slash', 'https:/app.example/cb'],
  ['backslash path', 'https://app.example\\cb'],
  ['backslash before userinfo', 'https://app.example\\@evil.example/cb'],
  ['leading space', ' https://app.example/cb'],
  ['trailing tab', 'https://app.example/cb\t'],
  ['newline inside', 'https://app.example/\ncb'],
  ['relative path', '/cb'],
];

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
});
afterAll(() => server.stop());

/** An authorization request as a browser sends it, complete but for what a test changes. */
const authorizationRequest = (clientId: string, params: Record<string, string | undefined>) => {
  const query: Record<string, string> = {};
  const all = {
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REGISTERED,
    state: 'state-of-the-app',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) query[name] = value;
  return openProviderPage(server, '/oauth2/auth', query);
};

describe('redirect URI near-misses at /oauth2/auth', () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await relyingParty(server, { redirectUris: [REGISTERED] })).clientId;
  });

  it('the registered URI itself goes on to the sign-in (the control)', async () => {
    const answer = await authorizationRequest(clientId, {});
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/authorize\/[\w-]+$/);
  });

  it.each(NEAR_MISSES)('%s (%j): our error page, no redirect', async (_what, uri) => {
    const answer = await authorizationRequest(clientId, { redirect_uri: uri });
    expectErrorPage(answer, 'invalid_redirect_uri');
  });

  it('another client’s registered URI is not this client’s', async () => {
    const other = 'https://other-app.example/cb';
    await relyingParty(server, { redirectUris: [other] });
    expectErrorPage(
      await authorizationRequest(clientId, { redirect_uri: other }),
      'invalid_redirect_uri',
    );
  });

  it('a loopback redirect URI on another port is another URI (a web client, no port leeway)', async () => {
    const loopback = await relyingParty(server);
    for (const uri of ['http://localhost:5000/callback', 'http://127.0.0.1:4999/callback'])
      expectErrorPage(
        await authorizationRequest(loopback.clientId, { redirect_uri: uri }),
        'invalid_redirect_uri',
      );
  });

  it('no redirect URI at all, though the client has just one: refused (never assumed)', async () => {
    expectErrorPage(
      await authorizationRequest(clientId, { redirect_uri: undefined }),
      'invalid_request',
    );
  });

  it('a near-miss is refused even when every other parameter is bad too (checked first)', async () => {
    const answer = await authorizationRequest(clientId, {
      redirect_uri: 'https://app.example@evil.example/cb',
      response_type: 'token',
      code_challenge: undefined,
      scope: 'email',
    });
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
  });
});

describe('redirect URI at the token endpoint', () => {
  it('a code redeemed with another redirect URI than it was issued for: invalid_grant', async () => {
    const rp = await relyingParty(server, {
      redirectUris: [REGISTERED, 'https://app.example/other'],
    });
    const issued = await issuedCode(server, rp, { redirect_uri: REGISTERED });
    expect(`${issued.back.origin}${issued.back.pathname}`).toBe(REGISTERED);
    for (const uri of ['https://app.example/other', `${REGISTERED}/`, 'https://evil.example/cb'])
      expectOauthError(
        await redeemCode(server, rp, issued, { redirect_uri: uri }),
        400,
        'invalid_grant',
      );
    const omitted = await redeemCode(server, rp, issued, { redirect_uri: '' });
    expectOauthError(omitted, 400, 'invalid_request');
    // The mismatches spent nothing: the app, with the right URI, still redeems its code.
    const honest = await redeemCode(server, rp, issued);
    expect(honest.status, JSON.stringify(honest.body)).toBe(200);
  });
});

describe('redirect URIs refused at registration', () => {
  const bad: ReadonlyArray<[what: string, uri: string]> = [
    ['relative path', '/cb'],
    ['relative name', 'cb'],
    ['scheme-relative', '//app.example/cb'],
    ['fragment', 'https://app.example/cb#x'],
    ['empty fragment', 'https://app.example/cb#'],
    ['user name', 'https://evil@app.example/cb'],
    ['user name and password', 'https://user:pw@app.example/cb'],
    ['userinfo naming the app', 'https://app.example@evil.example/cb'],
    ['http to another machine', 'http://app.example/cb'],
    ['http to a lookalike of localhost', 'http://localhost.evil.example/cb'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['not a URL', 'https://'],
    ['empty', ''],
    // What the URL parser (and a browser) would repair: the stored string would not be where the browser goes.
    ['leading space', ' https://app.example/cb'],
    ['trailing space', 'https://app.example/cb '],
    ['space inside', 'https://app.example/c b'],
    ['tab', 'https://app.example/cb\t'],
    ['newline', 'https://app.example/\ncb'],
    ['backslash', 'https://app.example\\cb'],
    ['backslash before userinfo', 'https://app.example\\@evil.example/cb'],
    ['no slashes after the scheme', 'https:app.example/cb'],
    ['one slash after the scheme', 'https:/app.example/cb'],
    ['three slashes after the scheme', 'https:///app.example/cb'],
    ['a Unicode host (give its punycode)', 'https://аpp.example/cb'],
    ['a broken percent-escape', 'https://app.example/cb%zz'],
    ['a quote', 'https://app.example/cb"onload=x'],
    ['angle brackets', 'https://app.example/<cb>'],
  ];

  it.each(bad)('%s (%j) → invalid_request, nothing written', async (_what, uri) => {
    const before = (await listClients(server.core)).length;
    for (const client of [
      { redirectUris: [uri] },
      { redirectUris: [REGISTERED], postLogoutRedirectUris: [uri] },
      { redirectUris: [REGISTERED], backchannelLogoutUri: uri },
    ]) {
      await expect(createClient(server.core, { name: 'Bad App', ...client })).rejects.toMatchObject(
        {
          name: 'AuthError',
          code: 'invalid_request',
        },
      );
    }
    expect((await listClients(server.core)).length).toBe(before);
  });

  it('plain RFC 3986 URIs are taken as given: query, escapes, port, punycode', async () => {
    for (const uri of [
      'https://app.example/cb?tenant=a%20b&x=1',
      'https://app.example:8443/auth/callback',
      'https://xn--pp-6kc.example/cb',
      "https://app.example/cb;v=1/~user/(x)!*'$,+",
    ])
      await expect(
        createClient(server.core, { name: 'Good App', redirectUris: [uri] }),
      ).resolves.toMatchObject({ client_id: expect.stringMatching(/^client_/) });
  });

  it('http is allowed to this machine only (a native or development app)', async () => {
    for (const uri of ['http://localhost:4999/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb'])
      await expect(
        createClient(server.core, { name: 'Native App', redirectUris: [uri] }),
      ).resolves.toMatchObject({ client_id: expect.stringMatching(/^client_/) });
  });
});
