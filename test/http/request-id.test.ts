import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const GENERATED = /^[0-9a-f]{16}$/;

/** The log lines of one request, by its id. */
const linesOf = (id: string) =>
  server.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { reqId?: string; msg?: string })
    .filter((line) => line.reqId === id);

describe('request ids', () => {
  it('every answer carries one, and a problem document says the same one', async () => {
    const ok = await new Client(server.url).get('/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(GENERATED);
    const refused = await new Client(server.url).get('/auth/me');
    expect(refused.status).toBe(401);
    const id = refused.headers.get('x-request-id');
    expect(id).toMatch(GENERATED);
    expect(id).not.toBe(ok.headers.get('x-request-id'));
    expect(refused.body.requestId).toBe(id);
  });

  it('new ids do not repeat over a thousand requests (they are drawn from batches of random bytes)', async () => {
    const ids = new Set<string>();
    for (let round = 0; round < 22; round += 1) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => new Client(server.url).get('/healthz')),
      );
      for (const answer of answers) {
        const id = answer.headers.get('x-request-id') as string;
        expect(id).toMatch(GENERATED);
        ids.add(id);
      }
    }
    expect(ids.size).toBe(1100);
  });

  it('the request’s log lines carry its id', async () => {
    const refused = await new Client(server.url).post('/auth/login', {
      email: 'nobody@example.com',
      password: 'not a password of anyone',
    });
    expect(refused.status).toBe(401);
    const id = refused.headers.get('x-request-id') as string;
    const messages = linesOf(id).map((line) => line.msg);
    expect(messages).toContain('incoming request');
    expect(messages).toContain('request completed');
  });

  it('a client’s own x-request-id is replaced: without trustProxy no proxy vouches for it', async () => {
    const other = await new Client(server.url).get('/healthz');
    const someoneElses = other.headers.get('x-request-id') as string;
    for (const incoming of ['lb-01.Trace:42_ab', someoneElses]) {
      const answer = await new Client(server.url).get('/auth/me', {
        headers: { 'x-request-id': incoming },
      });
      expect(answer.status).toBe(401);
      const id = answer.headers.get('x-request-id');
      expect(id, incoming).toMatch(GENERATED);
      expect(id).not.toBe(incoming);
      expect(answer.body.requestId).toBe(id);
    }
    expect(linesOf('lb-01.Trace:42_ab')).toEqual([]);
    // The other request's lines are its own: none of the later request's joined them.
    expect(linesOf(someoneElses).map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
  });

  it('Fastify’s own refusals (a malformed URL, bad JSON) carry it too', async () => {
    const badUrl = await new Client(server.url).get('/auth/%zz');
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('x-request-id')).toMatch(GENERATED);
    expect(badUrl.body.requestId).toBe(badUrl.headers.get('x-request-id'));
    const badJson = await new Client(server.url).post('/auth/login', undefined, {
      body: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.requestId).toBe(badJson.headers.get('x-request-id'));
  });

  it('an HTML error page is answered with one as well', async () => {
    const page = await fetch(`${server.url}/no-such-page`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-request-id')).toMatch(GENERATED);
  });
});

describe('request ids behind a trusted proxy (trustProxy set)', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ settings: { trustProxy: '127.0.0.1' } });
  });
  afterAll(async () => proxied.stop());

  it('a short, safe incoming x-request-id is kept (the proxy’s, to follow a request across hops)', async () => {
    const incoming = 'lb-01.Trace:42_ab';
    const answer = await new Client(proxied.url).get('/auth/me', {
      headers: { 'x-request-id': incoming },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-request-id')).toBe(incoming);
    expect(answer.body.requestId).toBe(incoming);
    expect(proxied.logs.some((line) => line.includes(`"reqId":"${incoming}"`))).toBe(true);
  });

  it('a long or unsafe one is replaced by a new id, and never logged', async () => {
    for (const incoming of ['a'.repeat(65), 'has space', '"},"level":60', '<script>', '']) {
      const answer = await new Client(proxied.url).get('/auth/me', {
        headers: { 'x-request-id': incoming },
      });
      const id = answer.headers.get('x-request-id');
      expect(id, incoming).toMatch(GENERATED);
      expect(answer.body.requestId).toBe(id);
      if (incoming !== '')
        expect(
          proxied.logs.some((line) => line.includes(`"reqId":${JSON.stringify(incoming)}`)),
        ).toBe(false);
    }
  });

  it('a request without one gets a new id', async () => {
    const answer = await new Client(proxied.url).get('/healthz');
    expect(answer.headers.get('x-request-id')).toMatch(GENERATED);
  });
});
