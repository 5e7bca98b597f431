import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeQuickStart } from '../helpers/readme.js';
import { eventually, resourceServerAccount } from '../helpers/revocation-stream.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { tokenUser } from '../helpers/tokens.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let gatehouse: TestServer;
let folder: string;
let child: ChildProcess;
let url: string;

/** The KEY=value pairs of the start-up line, as an operator would copy them. */
function startUpSettings(server: TestServer): Record<string, string> {
  const line = server.logs.find((text) => text.includes('resource servers:'));
  const { msg } = JSON.parse(line ?? '{}') as { msg?: string };
  return Object.fromEntries(
    (msg ?? '')
      .replace('resource servers: ', '')
      .split(' ')
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
}

beforeAll(async () => {
  gatehouse = await startTestServer();
  const account = await resourceServerAccount(gatehouse);
  // Inside the repository, so `@gatehouse/verify` resolves as it does for an installed package.
  folder = mkdtempSync(join(ROOT, '.quick-start-'));
  const file = join(folder, 'resource-server.ts');
  writeFileSync(file, readmeQuickStart('resource-server'));
  const port = await freePort();
  child = spawn(process.execPath, ['--conditions=gatehouse-source', '--import', 'tsx', file], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      ...startUpSettings(gatehouse),
      SERVICE_EMAIL: account.email,
      SERVICE_PASSWORD: account.password,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 20_000);
    const read = (chunk: Buffer) => {
      out += chunk;
      const match = /resource server on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}, 40_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(folder, { recursive: true, force: true });
  await gatehouse.stop();
});

const call = async (token?: string) => {
  const response = await fetch(`${url}/`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the README resource server quick start, run as written', () => {
  it('serves a valid token, refuses none, and refuses it within a second of sign-out', async () => {
    const user = await tokenUser(gatehouse);
    expect(await call(user.accessToken)).toMatchObject({
      status: 200,
      body: { hello: user.userId },
    });
    expect((await call()).status).toBe(401);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    await eventually(async () => (await call(user.accessToken)).status === 401, 1000);
    expect((await call(user.accessToken)).body).toMatchObject({ code: 'token_revoked' });
  });
});
