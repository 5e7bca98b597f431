/**
 * A browser app calls the token endpoint from its own origin: the provider
 * answers CORS for the origins of a client's registered redirect URIs only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelyingParty, relyingParty } from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  rp = await relyingParty(server, { public: true });
});
afterAll(() => server.stop());

/** A token request as a browser app sends it (the grant is bad on purpose: CORS is what is asked). */
const tokenRequestFrom = (origin: string) =>
  fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'not-a-code',
      client_id: rp.clientId,
      redirect_uri: 'http://localhost:4999/callback',
      code_verifier: 'x'.repeat(43),
    }).toString(),
  });

describe('CORS at the token endpoint', () => {
  it("answers for the origin of the client's redirect URI", async () => {
    const response = await tokenRequestFrom('http://localhost:4999');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:4999');
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses every other origin', async () => {
    const response = await tokenRequestFrom('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});
