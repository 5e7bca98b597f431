// The fuzz test's idea, aimed past the schemas: bodies of the right shape
// whose inside is wrong (WebAuthn JSON that does not decode, codes in odd
// scripts). No answer may be a 5xx; every error is a problem document.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client, type Response } from '../helpers/client.js';
import { challengeFor, enrolTotp } from '../helpers/mfa.js';
import { forgedAssertion, forgedRegistration, insertTestPasskey } from '../helpers/passkeys.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ORIGIN = 'http://localhost:3999';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    settings: { publicUrl: ORIGIN, sms: { enabled: true }, rateLimit: { loginPerAccount: 1000 } },
  });
});
afterAll(() => server.stop());

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const clientData = (fields: unknown) => b64(JSON.stringify(fields));

/** Assertions of the right shape that are wrong inside, for a credential and a live WebAuthn challenge. */
function badAssertions(credentialId: string, challenge: string): unknown[] {
  const good = forgedAssertion(credentialId, challenge, ORIGIN);
  const withResponse = (response: Record<string, unknown>) => ({
    ...good,
    response: { ...good.response, ...response },
  });
  return [
    withResponse({ clientDataJSON: b64('not json') }),
    withResponse({ clientDataJSON: b64('null') }),
    withResponse({ clientDataJSON: b64('[]') }),
    withResponse({ clientDataJSON: clientData({}) }),
    withResponse({ clientDataJSON: clientData({ type: 'webauthn.get', challenge: 42 }) }),
    withResponse({
      clientDataJSON: clientData({ type: 'webauthn.get', challenge, origin: { a: 1 } }),
    }),
    withResponse({ authenticatorData: 'A' }),
    withResponse({ authenticatorData: b64(Buffer.alloc(37, 0xff)) }),
    withResponse({ signature: 'A' }),
    withResponse({ userHandle: 'A' }),
    withResponse({ userHandle: b64('\u0000') }),
    { ...good, rawId: b64(randomBytes(32)) },
    { ...good, id: 'A', rawId: 'A' },
  ];
}

const oddCodes = [
  '\u0000',
  '٠١٢٣٤٥',
  '１２３４５６',
  'İİİİ-İİİİ-İİİİ-İİİİ',
  '0'.repeat(64),
  '-'.repeat(64),
  ' 1 2 3 4 5 6 ',
  '__proto__',
];

function expectNo5xx(response: Response, label: string): void {
  expect(response.status, `${label}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
    expect(typeof response.body.code, label).toBe('string');
  }
}

/** A user with a password, an app and a (key-less, store-written) passkey, signed in. */
async function loadedUser() {
  const user = await signedInUser(server);
  await enrolTotp(server, user.client);
  const passkey = await insertTestPasskey(server, user.userId);
  return { ...user, passkey };
}

describe('bodies of the right shape with a wrong inside answer 4xx, never 5xx', () => {
  it('POST /auth/mfa/verify', async () => {
    const { email, password, passkey } = await loadedUser();
    const anonymous = new Client(server.url);
    for (const code of oddCodes)
      for (const method of ['totp', 'recovery_code', 'sms']) {
        const challenge = await challengeFor(server, email, password);
        const answer = await anonymous.post('/auth/mfa/verify', { challenge, method, code });
        expectNo5xx(answer, `${method} ${JSON.stringify(code)}`);
      }
    const challenge = await challengeFor(server, email, password);
    const options = await anonymous.post<{ options: { challenge: string } }>(
      '/auth/mfa/webauthn/options',
      { challenge },
    );
    expect(options.status, options.text).toBe(200);
    for (const [i, assertion] of badAssertions(
      passkey.credentialId,
      options.body.options.challenge,
    ).entries()) {
      const fresh = await challengeFor(server, email, password);
      const webauthn = await anonymous.post<{ options: { challenge: string } }>(
        '/auth/mfa/webauthn/options',
        { challenge: fresh },
      );
      const bound = badAssertions(passkey.credentialId, webauthn.body.options.challenge)[i];
      const answer = await anonymous.post('/auth/mfa/verify', {
        challenge: fresh,
        method: 'webauthn',
        assertion: bound ?? assertion,
      });
      expectNo5xx(answer, `webauthn #${i}`);
    }
  });

  it('POST /auth/passkeys/login/verify', async () => {
    const { passkey } = await loadedUser();
    const anonymous = new Client(server.url);
    for (let i = 0; i < badAssertions('x', 'y').length; i++) {
      const options = await anonymous.post<{ options: { challenge: string } }>(
        '/auth/passkeys/login/options',
      );
      const response = badAssertions(passkey.credentialId, options.body.options.challenge)[i];
      const answer = await anonymous.post('/auth/passkeys/login/verify', { response });
      expectNo5xx(answer, `login #${i}`);
    }
  });

  it('POST /auth/reauthenticate', async () => {
    const { client, passkey } = await loadedUser();
    for (const code of oddCodes)
      for (const method of ['totp', 'recovery_code', 'sms'])
        expectNo5xx(
          await client.post('/auth/reauthenticate', { method, code }),
          `${method} ${JSON.stringify(code)}`,
        );
    for (let i = 0; i < badAssertions('x', 'y').length; i++) {
      const options = await client.post<{ options: { challenge: string } }>(
        '/auth/passkeys/reauthenticate/options',
      );
      expect(options.status, options.text).toBe(200);
      const assertion = badAssertions(passkey.credentialId, options.body.options.challenge)[i];
      expectNo5xx(
        await client.post('/auth/reauthenticate', { method: 'webauthn', assertion }),
        `reauth webauthn #${i}`,
      );
    }
  });

  it('POST /auth/passkeys/register/verify and the TOTP and SMS confirmations', async () => {
    const { client } = await signedInUser(server);
    const variants = (challenge: string) => {
      const good = forgedRegistration(challenge, ORIGIN);
      const withResponse = (response: Record<string, unknown>) => ({
        ...good,
        response: { ...good.response, ...response },
      });
      return [
        withResponse({ clientDataJSON: b64('not json') }),
        withResponse({ clientDataJSON: clientData({ type: 'webauthn.create', challenge: [] }) }),
        withResponse({ attestationObject: 'A' }),
        withResponse({ attestationObject: b64(Buffer.from([0xa0])) }),
        withResponse({ attestationObject: b64(Buffer.from([0xff, 0xff, 0xff])) }),
        withResponse({ publicKey: b64('x'), publicKeyAlgorithm: -7, authenticatorData: 'AA' }),
        good,
      ];
    };
    for (let i = 0; i < variants('x').length; i++) {
      const options = await client.post<{ options: { challenge: string } }>(
        '/auth/passkeys/register/options',
      );
      expect(options.status, options.text).toBe(200);
      const response = variants(options.body.options.challenge)[i];
      expectNo5xx(
        await client.post('/auth/passkeys/register/verify', { response, name: '\u202e' }),
        `register #${i}`,
      );
    }
    expect((await client.post('/auth/mfa/totp/setup')).status).toBe(200);
    for (const code of oddCodes)
      expectNo5xx(await client.post('/auth/mfa/totp/confirm', { code }), `totp ${code}`);
    for (const code of oddCodes)
      expectNo5xx(await client.post('/auth/mfa/sms/confirm', { code }), `sms ${code}`);
  });
});
