import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banUser } from '../../src/authn/admin.js';
import { registeredUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { newMetricsToken, sample, scrape } from '../helpers/metrics.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { meWith, tokenUser } from '../helpers/tokens.js';

const token = newMetricsToken();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ settings: { metrics: { token } } });
});
afterAll(async () => server.stop());

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const METHODS = ['password', 'basic', 'api_key'] as const;
const OUTCOMES = ['success', 'failure', 'banned'] as const;

/** Every sign-in series this file moves, as one scrape reads them. */
async function signInCounts(): Promise<Record<string, number>> {
  const text = await scrape(server.url, token);
  const counts: Record<string, number> = {};
  for (const method of METHODS)
    for (const outcome of OUTCOMES)
      counts[`${method} ${outcome}`] = sample(text, 'gatehouse_sign_ins_total', {
        method,
        outcome,
      });
  return counts;
}

/** What `act` added to each series: exactly `expected`, every other series unmoved. */
async function expectCounted(act: () => Promise<void>, expected: Record<string, number>) {
  const before = await signInCounts();
  await act();
  const after = await signInCounts();
  const moved = Object.fromEntries(
    Object.keys(after)
      .map((series) => [series, (after[series] ?? 0) - (before[series] ?? 0)] as const)
      .filter(([, delta]) => delta !== 0),
  );
  expect(moved).toEqual(expected);
}

describe('machine credentials in gatehouse_sign_ins_total', () => {
  it('counts each request with an API key, in any of its three places, as one api_key sign-in', async () => {
    const owner = await tokenUser(server);
    const created = await owner.client.post<{ apiKey: { id: string; key: string } }>(
      '/auth/api-keys',
      { name: 'metrics' },
    );
    const { id, key } = created.body.apiKey;
    await expectCounted(
      async () => {
        expect((await meWith(server, { authorization: `Bearer ${key}` })).status).toBe(200);
        expect((await meWith(server, { 'x-api-key': key })).status).toBe(200);
        expect((await meWith(server, { authorization: basic('apikey', key) })).status).toBe(200);
        expect((await meWith(server, { 'x-api-key': `${key.slice(0, -2)}xx` })).status).toBe(401);
      },
      { 'api_key success': 3, 'api_key failure': 1 },
    );
    expect((await owner.client.delete(`/auth/api-keys/${id}`)).status).toBe(204);
    await expectCounted(
      async () => {
        expect((await meWith(server, { 'x-api-key': key })).status).toBe(401);
      },
      { 'api_key failure': 1 },
    );
  });

  it('counts a service account’s Basic credential as basic, right or wrong, never as password', async () => {
    const svc = await registeredUser(server, { isService: true });
    const person = await tokenUser(server);
    await expectCounted(
      async () => {
        const right = await meWith(server, { authorization: basic(svc.email, strongPassword) });
        expect(right.status).toBe(200);
        const wrong = await meWith(server, { authorization: basic(svc.email, 'not its password') });
        expect(wrong.status).toBe(401);
        // A person's right password is no machine credential.
        const person401 = await meWith(server, {
          authorization: basic(person.email, person.password),
        });
        expect(person401.status).toBe(401);
      },
      { 'basic success': 1, 'basic failure': 2 },
    );
  });

  it('counts a banned service account as basic banned, and a wrong API login as password', async () => {
    const svc = await registeredUser(server, { isService: true });
    await banUser(server.core, svc.id, { actorId: null }, { ip: null, userAgent: 'test' });
    await expectCounted(
      async () => {
        const refused = await meWith(server, { authorization: basic(svc.email, strongPassword) });
        expect(refused.status).toBe(401);
        const login = await new Client(server.url).post('/auth/login', {
          email: uniqueEmail('nobody'),
          password: 'not anyone’s password',
        });
        expect(login.status).toBe(401);
      },
      { 'basic banned': 1, 'password failure': 1 },
    );
  });

  it('counts nothing for a request that carries no machine credential', async () => {
    const person = await tokenUser(server);
    await expectCounted(async () => {
      expect((await meWith(server, { authorization: `Bearer ${person.accessToken}` })).status).toBe(
        200,
      );
      expect((await new Client(server.url).get('/auth/me')).status).toBe(401);
    }, {});
  });
});
