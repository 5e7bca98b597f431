// Errors raised by Fastify's router and Node's HTTP parser, not by our routes,
// used to answer in their own formats and echo the input back.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type Response } from '../helpers/client.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.stop());

const anonymous = () => new Client(server.url);

/** The answer must not repeat the input: at most a short, trimmed detail. */
function expectShort(response: Response, echoed: string): void {
  expect(response.text.length, response.text.slice(0, 300)).toBeLessThan(400);
  expect(response.text).not.toContain(echoed);
}

/** Sends bytes on a raw socket and returns what came back, for requests fetch will not send. */
function rawExchange(bytes: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += String(chunk);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(bytes);
  });
}

describe('every error is a problem document', () => {
  it('bad percent-encoding in the path', async () => {
    for (const path of ['/auth/sessions/%zz', '/no%zz/route', '/auth/api-keys/%E0%A4%A']) {
      const response = await anonymous().delete(path);
      expectProblem(response, 400, 'invalid_request');
      expectShort(response, '%zz');
    }
  });

  it('a path parameter longer than the router takes', async () => {
    const id = 'x'.repeat(5_000);
    const response = await anonymous().delete(`/auth/sessions/${id}`);
    expectProblem(response, 400, 'invalid_request');
    expectShort(response, 'x'.repeat(101));
  });

  it('an unknown route with a 10,000-character path', async () => {
    const path = `/${'y'.repeat(10_000)}`;
    const response = await anonymous().get(path);
    expectProblem(response, 404, 'not_found');
    expectShort(response, 'y'.repeat(101));
  });

  it('headers over the limit (Node answers before Fastify sees the request)', async () => {
    const response = await anonymous().get('/auth/me', {
      headers: { 'x-big': 'z'.repeat(20_000) },
    });
    expectProblem(response, 431, 'headers_too_large');
    expectShort(response, 'zzzz');
  });

  it('a request that is not HTTP at all', async () => {
    const answer = await rawExchange('GET /auth/me HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('bad JSON, an empty JSON body and a wrong content type, without echoing the body', async () => {
    const secret = 'hunter2 is my passphrase';
    const post = (body: string, type = 'application/json') =>
      anonymous().post('/auth/login', undefined, { body, headers: { 'content-type': type } });
    const broken = await post(`{"email":"a@example.com","password":"${secret}",`);
    expectProblem(broken, 400, 'invalid_request');
    expectShort(broken, secret);
    const notJson = await post(`${secret} is not JSON`);
    expectProblem(notJson, 400, 'invalid_request');
    expectShort(notJson, secret);
    expectProblem(await post(''), 400, 'invalid_request');
    expectProblem(
      await post(secret, 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    );
  });

  it('an unknown field with a huge name is named, trimmed', async () => {
    const name = 'k'.repeat(20_000);
    const response = await anonymous().post('/auth/login', {
      email: 'a@example.com',
      password: 'x',
      [name]: 1,
    });
    expectProblem(response, 400, 'invalid_request');
    expectShort(response, 'k'.repeat(300));
  });

  it('logged no unhandled error', () => {
    expect(server.logs.join('')).not.toContain('unhandled error');
  });
});
