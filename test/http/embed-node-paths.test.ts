import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeHandler } from '../../src/http/embed/node-handler.js';
import { strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import {
  closeServer,
  type EmbeddedGatehouse,
  embeddedGatehouse,
  listen,
} from '../helpers/embedded.js';

let gatehouse: EmbeddedGatehouse;
const servers: Server[] = [];
beforeAll(async () => {
  gatehouse = await embeddedGatehouse();
});
afterAll(async () => {
  for (const server of servers) await closeServer(server);
  await gatehouse?.stop();
});

const serve = async (server: Server) => {
  servers.push(server);
  return listen(server);
};

async function signsIn(url: string): Promise<Client> {
  const client = new Client(url);
  const email = uniqueEmail('paths');
  expect((await client.post('/auth/register', { email, password: strongPassword })).status).toBe(
    201,
  );
  const login = await client.post<{ csrfToken: string }>('/auth/login', {
    email,
    password: strongPassword,
  });
  expect(login.status).toBe(200);
  client.csrfToken = login.body.csrfToken;
  return client;
}

describe('Gatehouse as a plain node:http handler', () => {
  it('answers everything itself, its own 404 included', async () => {
    const url = await serve(createServer(toNodeHandler(gatehouse)));
    const client = await signsIn(url);
    expect((await client.get('/auth/me')).status).toBe(200);
    const missing = await fetch(`${url}/auth/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-permitted-cross-domain-policies')).not.toBeNull();
  });
});

describe('Gatehouse under an Express mount path', () => {
  it('sees the full path, and gives back what it has no route for with the mount’s path intact', async () => {
    const app = express();
    app.use(['/auth', '/.well-known'], toNodeHandler(gatehouse));
    app.get('/auth/app-owned', (req, res) => {
      res.json({ url: req.url, originalUrl: req.originalUrl });
    });
    app.get('/login', (_req, res) => {
      res.type('text/plain').send('the app’s own login page');
    });
    const url = await serve(createServer(app));
    const client = await signsIn(url);
    expect((await client.get<{ user: { id: string } }>('/auth/me')).status).toBe(200);
    expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
    // Not under the mount paths: Gatehouse never sees it.
    expect(await (await fetch(`${url}/login`)).text()).toBe('the app’s own login page');
    const owned = await fetch(`${url}/auth/app-owned?x=1`);
    expect(owned.status).toBe(200);
    expect(await owned.json()).toEqual({
      url: '/auth/app-owned?x=1',
      originalUrl: '/auth/app-owned?x=1',
    });
  });
});
