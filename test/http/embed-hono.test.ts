import type { Server } from 'node:http';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { problemFor } from '../../src/http/embed/problem-for.js';
import { embedSuite } from '../helpers/embed-suite.js';

embedSuite('Hono', (gatehouse) => {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.use(async (c, next) => {
    if (await gatehouse.handle(c.env.incoming, c.env.outgoing)) return RESPONSE_ALREADY_SENT;
    await next();
  });
  app.get('/api/hello', (c) => c.text('hello from the app'));
  app.post('/api/echo', async (c) => c.json(await c.req.json()));
  app.get('/api/whoami', async (c) => {
    const principal = await gatehouse.getSession(c.req.raw);
    return principal ? c.json({ principal }) : c.json({ error: 'sign in' }, 401);
  });
  app.post('/api/notes', async (c) => {
    const principal = await gatehouse.getSession(c.env.incoming);
    if (!principal) return c.json({ error: 'sign in' }, 401);
    const { text } = await c.req.json<{ text: string }>();
    return c.json({ by: principal.userId, text }, 201);
  });
  app.onError((error, c) => {
    const problem = problemFor(error);
    if (!problem) throw error;
    return c.body(JSON.stringify(problem), problem.status as 403, {
      'content-type': 'application/problem+json',
    });
  });
  return createAdaptorServer({ fetch: app.fetch }) as Server;
});
