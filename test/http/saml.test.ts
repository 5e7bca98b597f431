import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByEmail } from '../../src/store/repositories/users.js';
import { signedInUser, uniqueEmail } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { enrolTotp } from '../helpers/mfa.js';
import { openPage } from '../helpers/pages.js';
import {
  type AssertionOptions,
  encodeResponse,
  type IdpKey,
  makeIdpKey,
  readAuthnRequest,
  TestIdp,
} from '../helpers/saml-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let idp: TestIdp;
let stranger: IdpKey;
let rolledOver: IdpKey;
let sp: { entityId: string; acsUrl: string };

beforeAll(async () => {
  stranger = await makeIdpKey('Not in the metadata');
  rolledOver = await makeIdpKey('Next year');
  // The metadata lists two signing certificates: the IdP is rolling its key over.
  idp = new TestIdp(await makeIdpKey(), [rolledOver.certBase64]);
  server = await startTestServer({
    settings: {
      saml: {
        connections: [
          {
            id: 'corp',
            name: 'Corp',
            metadataXml: idp.metadata(),
            emailDomains: ['corp.test'],
            attributes: { email: 'email', groups: 'groups' },
            groupRoles: { 'gatehouse-admins': 'admin' },
            allowCreate: true,
          },
          {
            id: 'open',
            name: 'Unsolicited allowed',
            metadataXml: idp.metadata(),
            emailDomains: ['open.test'],
            attributes: { email: 'email' },
            allowCreate: true,
            allowIdpInitiated: true,
          },
        ],
      },
    },
  });
  sp = {
    entityId: `${server.url}/auth/saml/corp/metadata`,
    acsUrl: `${server.url}/auth/saml/corp/acs`,
  };
});
afterAll(async () => server.stop());

/** SP-initiated: our redirect to the IdP, and the AuthnRequest ID in it. */
async function start(client: Client, returnTo = '/account/sessions'): Promise<string> {
  const response = await openPage(
    client,
    `/auth/saml/corp/start?return_to=${encodeURIComponent(returnTo)}`,
  );
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(idp.ssoUrl);
  return readAuthnRequest(location.searchParams.get('SAMLRequest') ?? '').id;
}

const post = (
  client: Client,
  xml: string,
  relayState = '/account/sessions',
  connection = 'corp',
): Promise<Response> =>
  client.request('POST', `/auth/saml/${connection}/acs`, {
    body: new URLSearchParams({
      SAMLResponse: encodeResponse(xml),
      RelayState: relayState,
    }).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
      // The IdP's page posts it: another site, by design.
      origin: 'https://idp.test',
      'sec-fetch-site': 'cross-site',
    },
    withoutCsrf: true,
    manualRedirect: true,
  });

const base = (options: Partial<AssertionOptions> & { nameId: string }): AssertionOptions => ({
  acsUrl: sp.acsUrl,
  audience: sp.entityId,
  email: options.nameId,
  ...options,
});

async function me(client: Client): Promise<{ status: number; email?: string; id?: string }> {
  const response = await client.get<{ user?: { email: string; id: string } }>('/auth/me');
  return {
    status: response.status,
    email: response.body?.user?.email,
    id: response.body?.user?.id,
  };
}

/** A refused response: the readable error page, no session, nothing signed in. */
async function expectRefused(client: Client, response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/text\/html/);
  expect(response.text).toContain('<h1>');
  expect((await me(client)).status).toBe(401);
}

async function failures(): Promise<number> {
  const row = await server.core.store.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('type', '=', 'upstream_sign_in')
    .where('outcome', '=', 'failure')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A fresh, signed assertion answering a fresh request of `client`. */
async function signedFor(client: Client, nameId: string, extra: Partial<AssertionOptions> = {}) {
  const inResponseTo = await start(client);
  return idp.sign(idp.response(base({ nameId, inResponseTo, ...extra })), 'Assertion');
}

describe('SAML service provider: metadata and happy paths', () => {
  it('publishes SP metadata with the entity ID and the ACS (POST binding)', async () => {
    const response = await openPage(new Client(server.url), '/auth/saml/corp/metadata');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    expect(response.text).toContain(`entityID="${sp.entityId}"`);
    expect(response.text).toContain(`Location="${sp.acsUrl}"`);
    expect((await openPage(new Client(server.url), '/auth/saml/nope/metadata')).status).toBe(404);
  });

  it('creates a user just in time, then signs the same NameID in as that user', async () => {
    const email = uniqueEmail('jit').replace('@example.com', '@corp.test');
    const client = new Client(server.url);
    const first = await post(client, await signedFor(client, email));
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/account/sessions');
    const created = await me(client);
    expect(created).toMatchObject({ status: 200, email });

    const again = new Client(server.url);
    expect((await post(again, await signedFor(again, email))).status).toBe(303);
    expect((await me(again)).id).toBe(created.id);
  });

  it('accepts a signed Response (not only a signed Assertion)', async () => {
    const email = uniqueEmail('resp').replace('@example.com', '@corp.test');
    const client = new Client(server.url);
    const inResponseTo = await start(client);
    const xml = idp.sign(idp.response(base({ nameId: email, inResponseTo })), 'Response');
    expect((await post(client, xml)).status).toBe(303);
    expect((await me(client)).email).toBe(email);
  });

  it('links a verified local account of the domain and still asks for its second factor', async () => {
    const email = uniqueEmail('mfa').replace('@example.com', '@corp.test');
    const local = await signedInUser(server, { email });
    await enrolTotp(server, local.client);
    await server.core.store.db
      .updateTable('users')
      .set({ email_verified_at: Date.now() })
      .where('id', '=', local.userId)
      .execute();
    const client = new Client(server.url);
    const response = await post(client, await signedFor(client, email));
    // A page of ours moves on to the second step: a redirect answering the IdP's cross-site post
    // would arrive without the SameSite=Strict challenge cookie.
    const next = `/login/mfa?return_to=${encodeURIComponent('/account/sessions')}`;
    expect(response.status).toBe(200);
    expect(response.headers.get('refresh')).toBe(`0;url=${next}`);
    expect(response.text).toContain(`href="${next.replace('&', '&amp;')}"`);
    expect([...client.cookies.keys()]).toContain('__Host-gh_challenge');
    expect((await me(client)).status).toBe(401);
  });

  it('accepts the second certificate of the metadata (key rollover)', async () => {
    const email = uniqueEmail('roll').replace('@example.com', '@corp.test');
    const client = new Client(server.url);
    const inResponseTo = await start(client);
    const xml = idp.sign(
      idp.response(base({ nameId: email, inResponseTo })),
      'Assertion',
      rolledOver,
    );
    expect((await post(client, xml)).status).toBe(303);
    expect((await me(client)).email).toBe(email);
  });

  it('gives the roles its IdP groups map to, and only those', async () => {
    const admin = uniqueEmail('grp').replace('@example.com', '@corp.test');
    const plain = uniqueEmail('grp').replace('@example.com', '@corp.test');
    for (const [email, groups] of [
      [admin, ['staff', 'gatehouse-admins']],
      [plain, ['staff']],
    ] as const) {
      const client = new Client(server.url);
      expect(
        (await post(client, await signedFor(client, email, { groups: [...groups] }))).status,
      ).toBe(303);
    }
    const rolesOf = async (email: string) =>
      (await findUserByEmail(server.core.store.db, email))?.roles;
    expect(await rolesOf(admin)).toEqual(['admin']);
    expect(await rolesOf(plain)).toEqual([]);
  });

  it('keeps RelayState on this site', async () => {
    const client = new Client(server.url);
    const email = uniqueEmail('relay').replace('@example.com', '@corp.test');
    const response = await post(client, await signedFor(client, email), 'https://evil.test/');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
  });
});

describe('SAML attack corpus (each refused: error page, audited, nobody signed in)', () => {
  const victim = () => uniqueEmail('victim').replace('@example.com', '@corp.test');

  it('refuses an unsigned assertion', async () => {
    const client = new Client(server.url);
    const before = await failures();
    const inResponseTo = await start(client);
    await expectRefused(
      client,
      await post(client, idp.response(base({ nameId: victim(), inResponseTo }))),
    );
    expect(await failures()).toBe(before + 1);
  });

  it('refuses a signature by a certificate that is not in the metadata', async () => {
    const client = new Client(server.url);
    const inResponseTo = await start(client);
    const xml = idp.sign(
      idp.response(base({ nameId: victim(), inResponseTo })),
      'Assertion',
      stranger,
    );
    await expectRefused(client, await post(client, xml));
  });

  it('refuses a wrong audience, an expired assertion, a wrong recipient or destination', async () => {
    const past = new Date(Date.now() - 3600_000);
    const cases: Partial<AssertionOptions>[] = [
      { audience: 'https://other-sp.test/metadata' },
      { notBefore: new Date(past.getTime() - 600_000), notOnOrAfter: past },
      { notBefore: new Date(Date.now() + 3600_000) },
      { confirmationNotOnOrAfter: past },
      { recipient: 'https://other-sp.test/acs' },
      { destination: 'https://other-sp.test/acs' },
      { issuer: 'https://another-idp.test' },
    ];
    for (const extra of cases) {
      const client = new Client(server.url);
      const response = await post(client, await signedFor(client, victim(), extra));
      expect(response.status, JSON.stringify(extra)).toBe(400);
      await expectRefused(client, response);
    }
  });

  it('refuses an InResponseTo we never issued, and an unsolicited (IdP-initiated) response', async () => {
    const forged = new Client(server.url);
    forged.cookies.set('__Host-gh_saml_request', '_never-issued');
    const xml = idp.sign(
      idp.response(base({ nameId: victim(), inResponseTo: '_never-issued' })),
      'Assertion',
    );
    await expectRefused(forged, await post(forged, xml));
    const unsolicited = new Client(server.url);
    const idpInitiated = idp.sign(idp.response(base({ nameId: victim() })), 'Assertion');
    await expectRefused(unsolicited, await post(unsolicited, idpInitiated));
  });

  it('accepts one of ten parallel posts of the same response, and refuses its replay later', async () => {
    const client = new Client(server.url);
    const xml = await signedFor(client, victim());
    // Ten posts from the browser that started the request (its cookie), at once.
    const sameBrowser = () => {
      const copy = new Client(server.url);
      for (const [name, value] of client.cookies) copy.cookies.set(name, value);
      return copy;
    };
    const clients = Array.from({ length: 10 }, sameBrowser);
    const answers = await Promise.all(clients.map((c) => post(c, xml)));
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(9);
    const later = sameBrowser();
    await expectRefused(later, await post(later, xml));
  });

  it('refuses an unsolicited assertion passed off as an answer by an InResponseTo in the unsigned envelope', async () => {
    const client = new Client(server.url);
    const requestId = await start(client);
    const signed = idp.sign(idp.response(base({ nameId: victim() })), 'Assertion');
    const dressed = signed.replace(
      '<samlp:Response ',
      `<samlp:Response InResponseTo="${requestId}" `,
    );
    expect(dressed).not.toBe(signed);
    await expectRefused(client, await post(client, dressed));
  });

  it('refuses an answer to a request another browser started (login CSRF)', async () => {
    const attacker = new Client(server.url);
    const captured = await signedFor(attacker, victim());
    const target = new Client(server.url);
    await start(target); // the target's own, different request
    await expectRefused(target, await post(target, captured));
    const noCookie = new Client(server.url);
    await expectRefused(noCookie, await post(noCookie, captured));
    // The attacker's own browser may still use it: the refusals did not burn the request.
    expect((await post(attacker, captured)).status).toBe(303);
  });

  it('refuses a replayed assertion even under a new request ID', async () => {
    const client = new Client(server.url);
    const assertionId = `_a${Date.now()}replay`;
    const email = victim();
    expect((await post(client, await signedFor(client, email, { assertionId }))).status).toBe(303);
    const again = new Client(server.url);
    await expectRefused(again, await post(again, await signedFor(again, email, { assertionId })));
  });

  it('reads a NameID with a comment inside as the whole signed text (not the part before it)', async () => {
    const target = victim();
    const owner = new Client(server.url);
    expect((await post(owner, await signedFor(owner, target))).status).toBe(303);
    const victimId = (await me(owner)).id;
    // The attacker's IdP account is `<victim>.evil.test`; a comment splits the text after signing.
    const attacker = new Client(server.url);
    const inResponseTo = await start(attacker);
    const signed = idp.sign(
      idp.response({
        acsUrl: sp.acsUrl,
        audience: sp.entityId,
        nameId: `${target}.evil.test`,
        inResponseTo,
      }),
      'Assertion',
    );
    const tampered = signed.replace(`>${target}.evil.test<`, `>${target}<!---->.evil.test<`);
    expect(tampered).not.toBe(signed);
    const response = await post(attacker, tampered);
    const who = await me(attacker);
    expect(who.id === victimId).toBe(false);
    if (response.status === 303) expect(who.email).toBe(`${target}.evil.test`);
    else expect(who.status).toBe(401);
  });
});

describe('XML signature wrapping: the signed assertion is the only one read', () => {
  const evilFor = (nameId: string, inResponseTo: string, id = '_evil') =>
    idp
      .response(base({ nameId, inResponseTo, assertionId: id }))
      .replace(/^[\s\S]*?(<saml:Assertion[\s\S]*<\/saml:Assertion>)[\s\S]*$/, '$1');
  const assertionOf = (xml: string) =>
    /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] ?? '';

  async function wrapped(build: (signed: string, evil: string, requestId: string) => string) {
    const client = new Client(server.url);
    const target = uniqueEmail('xsw').replace('@example.com', '@corp.test');
    const inResponseTo = await start(client);
    const mine = `attacker-${target}`;
    const signed = idp.sign(idp.response(base({ nameId: mine, inResponseTo })), 'Assertion');
    const response = await post(client, build(signed, evilFor(target, inResponseTo), inResponseTo));
    const who = await me(client);
    expect(who.email).not.toBe(target);
    expect(response.status).toBe(400);
  }

  it('an unsigned assertion before the signed one', async () => {
    await wrapped((signed, evil) => signed.replace('<saml:Assertion', `${evil}<saml:Assertion`));
  });

  it('an unsigned assertion after the signed one', async () => {
    await wrapped((signed, evil) =>
      signed.replace('</samlp:Response>', `${evil}</samlp:Response>`),
    );
  });

  it('the signed assertion hidden inside the evil one', async () => {
    await wrapped((signed, evil) => {
      const inner = assertionOf(signed);
      const hidden = evil.replace(
        '</saml:Subject>',
        `</saml:Subject><saml:Advice>${inner}</saml:Advice>`,
      );
      return signed.replace(inner, hidden);
    });
  });

  it('the signed assertion moved into Extensions, the evil one in its place', async () => {
    await wrapped((signed, evil) => {
      const inner = assertionOf(signed);
      return signed
        .replace(inner, evil)
        .replace('<samlp:Status>', `<samlp:Extensions>${inner}</samlp:Extensions><samlp:Status>`);
    });
  });

  it('an evil assertion carrying the signed one’s ID', async () => {
    await wrapped((signed, _evil, requestId) => {
      const inner = assertionOf(signed);
      const id = /<saml:Assertion ID="([^"]+)"/.exec(inner)?.[1] ?? '';
      return signed.replace(
        '<saml:Assertion',
        `${evilFor('someone@corp.test', requestId, id)}<saml:Assertion`,
      );
    });
  });

  it('a signed Response wrapped inside a new Response with an evil assertion', async () => {
    const client = new Client(server.url);
    const target = uniqueEmail('xsw').replace('@example.com', '@corp.test');
    const inResponseTo = await start(client);
    const signed = idp.sign(
      idp.response(base({ nameId: `attacker-${target}`, inResponseTo })),
      'Response',
    );
    const outer = idp
      .response(base({ nameId: target, inResponseTo }))
      .replace('<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
    const response = await post(client, outer);
    expect((await me(client)).email).not.toBe(target);
    expect(response.status).toBe(400);
  });
});

describe('bad input and configuration', () => {
  it('answers a page, never a 500, for garbage, a missing response or an unknown connection', async () => {
    const client = new Client(server.url);
    for (const garbage of ['not base64 !!', Buffer.from('<not-saml/>').toString('base64'), '']) {
      const response = await client.request('POST', '/auth/saml/corp/acs', {
        body: new URLSearchParams(garbage ? { SAMLResponse: garbage } : {}).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        withoutCsrf: true,
        manualRedirect: true,
      });
      expect(response.status, garbage).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    }
    expect((await openPage(client, '/auth/saml/nope/start')).status).toBe(404);
    expect((await openPage(client, '/auth/saml/Bad%20Id/start')).status).toBe(400);
  });

  it('refuses to start with a groupRoles role the policy does not define', async () => {
    await expect(
      startTestServer({
        settings: {
          saml: {
            connections: [
              { id: 'typo', name: 'Typo', metadataXml: idp.metadata(), groupRoles: { g: 'admn' } },
            ],
          },
        },
      }),
    ).rejects.toThrow(/admn/);
  });
});

describe('IdP-initiated sign-in, where a connection allows it', () => {
  it('accepts an unsolicited signed response once, and never its replay', async () => {
    const root = `${server.url}/auth/saml/open`;
    const email = uniqueEmail('unsol').replace('@example.com', '@open.test');
    const xml = idp.sign(
      idp.response({ acsUrl: `${root}/acs`, audience: `${root}/metadata`, nameId: email, email }),
      'Assertion',
    );
    const client = new Client(server.url);
    expect((await post(client, xml, '/account', 'open')).status).toBe(303);
    expect((await me(client)).email).toBe(email);
    const replay = new Client(server.url);
    await expectRefused(replay, await post(replay, xml, '/account', 'open'));
    // The same IdP's answer meant for the other connection is not accepted here.
    const elsewhere = new Client(server.url);
    await expectRefused(elsewhere, await post(elsewhere, xml, '/account', 'corp'));
  });
});

describe('home-realm discovery on /login', () => {
  it('sends an email of a connection’s domain to its IdP without asking for a password', async () => {
    const client = new Client(server.url);
    const login = await openPage(client, '/login?return_to=%2Faccount%2Fsessions');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
    const form = (email: string) =>
      client.request('POST', '/login?return_to=%2Faccount%2Fsessions', {
        body: new URLSearchParams({
          _csrf: csrf,
          email,
          password: '',
          return_to: '/account/sessions',
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        withoutCsrf: true,
        manualRedirect: true,
      });
    const sso = await form('Someone@Corp.Test');
    expect(sso.status).toBe(303);
    expect(sso.headers.get('location')).toBe(
      `/auth/saml/corp/start?return_to=${encodeURIComponent('/account/sessions')}`,
    );
    // Another domain still needs its password: the form again, with the field's error.
    const local = await form(uniqueEmail('local'));
    expect(local.status).toBe(400);
    expect(local.text).toContain('name="password"');
  });
});
