import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { type ResourceServer, startResourceServer } from '../helpers/resource-server.js';
import {
  eventually,
  resourceServerAccount,
  type ServiceAccount,
} from '../helpers/revocation-stream.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { tokenUser } from '../helpers/tokens.js';

let gatehouse: TestServer;
let account: ServiceAccount;
const cleanup: Array<() => Promise<void>> = [];

const credential = () => ({ username: account.email, password: account.password });

async function subscribedResourceServer(url: string, maxStaleSeconds?: number) {
  const rs = await startResourceServer(gatehouse, {
    url: `${url}/auth/revocations`,
    credential: credential(),
    ...(maxStaleSeconds === undefined ? {} : { maxStaleSeconds }),
  });
  cleanup.push(() => rs.close());
  await rs.verifier.revocations?.ready;
  return rs;
}

async function proxyTo(server: TestServer): Promise<TcpProxy> {
  const proxy = await startTcpProxy(Number(new URL(server.url).port));
  cleanup.push(() => proxy.close());
  return proxy;
}

const refused = async (rs: ResourceServer, token: string) =>
  (await rs.call(token)).code === 'token_revoked';

beforeEach(async () => {
  gatehouse = await startTestServer();
  account = await resourceServerAccount(gatehouse);
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await gatehouse.stop();
});

describe('a resource server subscribed to the revocation stream (no Redis of its own)', () => {
  it('refuses an access token within a second of its logout', async () => {
    const rs = await subscribedResourceServer(gatehouse.url);
    const user = await tokenUser(gatehouse);
    expect(await rs.call(user.accessToken)).toMatchObject({ status: 200, sub: user.userId });
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    await eventually(() => refused(rs, user.accessToken), 1000);
    expect(await rs.call(user.accessToken)).toMatchObject({ status: 401, code: 'token_revoked' });
  });

  it('refuses every token of a banned user within a second', async () => {
    const rs = await subscribedResourceServer(gatehouse.url);
    const admin = await signedInUser(gatehouse, { roles: ['admin'] });
    const user = await tokenUser(gatehouse);
    const otherDevice = await tokenUser(gatehouse);
    expect((await rs.call(user.accessToken)).status).toBe(200);
    expect((await admin.client.post(`/admin/users/${user.userId}/ban`, {})).status).toBe(200);
    await eventually(() => refused(rs, user.accessToken), 1000);
    expect((await rs.call(otherDevice.accessToken)).status).toBe(200);
  });

  it('learns at start what was revoked before it subscribed', async () => {
    const user = await tokenUser(gatehouse);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    const rs = await subscribedResourceServer(gatehouse.url);
    expect(await rs.call(user.accessToken)).toMatchObject({ status: 401, code: 'token_revoked' });
  });

  it('catches up on reconnect with what was revoked while it was cut off', async () => {
    const proxy = await proxyTo(gatehouse);
    const rs = await subscribedResourceServer(proxy.url);
    const user = await tokenUser(gatehouse);
    const seen = rs.verifier.revocations?.lastEventId;
    await proxy.cut();
    await eventually(() => rs.verifier.revocations?.stale === true);
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    // Cut off: it cannot know yet, and within maxStaleSeconds it keeps serving.
    expect((await rs.call(user.accessToken)).status).toBe(200);
    await proxy.restore();
    await eventually(() => refused(rs, user.accessToken), 10_000);
    expect(rs.verifier.revocations?.state).toBe('live');
    expect(Number(rs.verifier.revocations?.lastEventId)).toBeGreaterThan(Number(seen));
  });

  it('fails closed (503) once cut off for longer than maxStaleSeconds, and recovers', async () => {
    const proxy = await proxyTo(gatehouse);
    const rs = await subscribedResourceServer(proxy.url, 1);
    const user = await tokenUser(gatehouse);
    await proxy.cut();
    await eventually(
      async () => (await rs.call(user.accessToken)).code === 'revocations_unavailable',
      10_000,
    );
    expect((await rs.call(user.accessToken)).status).toBe(503);
    await proxy.restore();
    await eventually(async () => (await rs.call(user.accessToken)).status === 200, 10_000);
  });

  it('refuses every token until it has caught up, and forever with a refused credential', async () => {
    const rs = await startResourceServer(gatehouse, {
      url: `${gatehouse.url}/auth/revocations`,
      credential: { username: account.email, password: 'not the password' },
    });
    cleanup.push(() => rs.close());
    await expect(rs.verifier.revocations?.ready).rejects.toMatchObject({
      code: 'revocations_unavailable',
    });
    const user = await tokenUser(gatehouse);
    expect(await rs.call(user.accessToken)).toMatchObject({
      status: 503,
      code: 'revocations_unavailable',
    });
  });

  it('resumes from the last event id across a Gatehouse restart', async () => {
    const instance = await startTestServer({ shareWith: gatehouse });
    const proxy = await proxyTo(instance);
    const rs = await subscribedResourceServer(proxy.url);
    const user = await tokenUser(gatehouse);
    await instance.stop();
    await eventually(() => rs.verifier.revocations?.stale === true);
    // Revoked on the other instance while the one it listens to is down.
    expect((await user.client.post('/auth/logout')).status).toBe(204);
    const restarted = await startTestServer({ shareWith: gatehouse });
    cleanup.push(() => restarted.stop());
    await proxy.cut();
    await proxy.restore(Number(new URL(restarted.url).port));
    await eventually(() => refused(rs, user.accessToken), 10_000);
  });
});
