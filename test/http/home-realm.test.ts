import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { submitForm } from '../helpers/pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    settings: {
      oidc: {
        providers: [
          {
            id: 'corp',
            name: 'Corp',
            issuer: 'http://127.0.0.1:9/never-asked',
            clientId: 'gatehouse',
            homeRealmDomains: ['corp.example'],
            authoritativeEmailDomains: ['corp.example', 'other.example'],
          },
        ],
      },
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

describe('home-realm discovery for OpenID providers', () => {
  it('sends an email of a home-realm domain to its provider, with return_to, before any password', async () => {
    const answer = await submitForm(
      new Client(server.url),
      '/login?return_to=%2Faccount%2Fsessions',
      {
        email: 'Ada@CORP.example',
        password: '',
        return_to: '/account/sessions',
      },
      { from: '/login' },
    );
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(
      '/auth/oidc/corp/start?return_to=%2Faccount%2Fsessions',
    );
  });

  it('asks the others for their password: a domain the provider may link is not its home realm', async () => {
    for (const email of ['ada@other.example', 'ada@corp.example.evil', 'ada@sub.corp.example']) {
      const answer = await submitForm(new Client(server.url), '/login', { email, password: '' });
      expect(answer.status, email).toBe(400);
      expect(answer.text, email).toContain('Required.');
    }
  });
});
