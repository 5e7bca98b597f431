import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let example: ChildProcess;
let exampleUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  example = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../../examples/resource-server/main.ts')],
    {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        GATEHOUSE_URL: server.url,
        GATEHOUSE_ISSUER: server.core.issuer,
      },
    },
  );
  exampleUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    example.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    example.on('exit', (code) => reject(new Error(`example exited with ${code}`)));
  });
});
afterAll(async () => {
  example.kill();
  await server.stop();
});

describe('examples/resource-server against a running Gatehouse', () => {
  it('serves a caller whose access token Gatehouse issued, verified through the JWKS', async () => {
    const user = await signedInUser(server);
    const tokens = await user.client.post<{ accessToken: string }>('/auth/login', {
      email: user.email,
      password: user.password,
    });
    const hello = await fetch(`${exampleUrl}/api/hello`, {
      headers: { authorization: `Bearer ${tokens.body.accessToken}` },
    });
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: user.userId, roles: [] });
    const admin = await fetch(`${exampleUrl}/api/admin`, {
      headers: { authorization: `Bearer ${tokens.body.accessToken}` },
    });
    expect(admin.status).toBe(403);
  });

  it('answers 401 with a Bearer challenge without a token or with a forged one', async () => {
    const none = await fetch(`${exampleUrl}/api/hello`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="example"/);
    const user = await signedInUser(server);
    const tokens = await user.client.post<{ accessToken: string }>('/auth/login', {
      email: user.email,
      password: user.password,
    });
    const [h, p, s] = tokens.body.accessToken.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, roles: ['admin'] })).toString('base64url')}.${s}`;
    const response = await fetch(`${exampleUrl}/api/admin`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
