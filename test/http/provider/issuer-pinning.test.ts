/**
 * The provider builds its URLs and cookies from the issuer, never from what
 * a client says (Host, X-Forwarded-*): no poisoned discovery document, no
 * client assertion aimed at another host accepted, and Secure cookies for an
 * https issuer even where TLS ends in front of Gatehouse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/provider/clients.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const ISSUER = 'https://auth.example';
let server: TestServer;

beforeAll(async () => {
  // An https issuer, Gatehouse itself reached over plain http (TLS ends at a proxy), no trusted proxy.
  server = await startTestServer({ realClock: true, settings: { publicUrl: ISSUER } });
});
afterAll(() => server.stop());

const forged = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-for': '203.0.113.9',
};

describe('the provider answers as its issuer', () => {
  it('discovery lists the issuer’s endpoints whatever Host and X-Forwarded-* say', async () => {
    const response = await fetch(`${server.url}/.well-known/openid-configuration`, {
      headers: forged,
    });
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document.issuer).toBe(ISSUER);
    expect(document.token_endpoint).toBe(`${ISSUER}/oauth2/token`);
    expect(document.authorization_endpoint).toBe(`${ISSUER}/oauth2/auth`);
    expect(JSON.stringify(document)).not.toContain('evil.example');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('starts an authorization with Secure cookies over a plain-http hop (no 500)', async () => {
    const app = await createClient(server.core, {
      name: 'Behind a proxy',
      redirectUris: ['https://app.example/cb'],
    });
    const query = new URLSearchParams({
      client_id: app.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://app.example/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const response = await fetch(`${server.url}/oauth2/auth?${query}`, {
      redirect: 'manual',
      headers: forged,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/authorize\//);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure/i);
  });
});
