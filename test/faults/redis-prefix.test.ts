import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createTestClock } from '../helpers/clock.js';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-services.js';
import type { TestServer } from '../helpers/server.js';
import { claimsOf, logIn, meWithToken, tokenUser, within } from '../helpers/tokens.js';

/**
 * Issue 7, defect 14 (part): two deployments on one Redis must not hear each
 * other's revocations. Each is configured the way an operator would, through
 * REDIS_PREFIX, so no test-only prefix is involved. A raw client watches which
 * channel each deployment publishes on, then replays a revocation of one of
 * Y's sessions on X's channel: Y must not apply it.
 */
let redis: PrivateRedis;
let watcher: Redis;
const published: Array<{ channel: string; message: string }> = [];
const deployments: Array<RunningServer & { dataDir: string }> = [];

async function deployment(prefix: string): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-prefix-'));
  const settings = loadSettings({
    env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix, NODE_ENV: 'test', PORT: '0' },
    flags: { dataDir, logLevel: 'silent' },
  });
  const clock = createTestClock();
  const server = await startServer(settings, { clock, logger: createLogger('silent') });
  deployments.push({ ...server, dataDir });
  return { ...server, clock, dataDir, logs: [], cachePrefix: prefix, stop: server.close };
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  watcher = new Redis(redis.url);
  watcher.on('pmessage', (_pattern: string, channel: string, message: string) =>
    published.push({ channel, message }),
  );
  await watcher.psubscribe('*');
});
afterAll(async () => {
  for (const server of deployments) {
    await server.close();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  watcher.disconnect();
  await redis.destroy();
});

/** Logs a second session of the user out, and returns the channel the revocation went out on. */
async function channelOf(server: TestServer): Promise<string> {
  const user = await tokenUser(server);
  const session = await logIn(server, user.email, user.password);
  const sid = String(claimsOf(session.accessToken).sid);
  expect((await user.client.delete(`/auth/sessions/${sid}`)).status).toBe(204);
  let channel: string | undefined;
  await within(1000, async () => {
    channel = published.find((p) => p.message.includes(sid))?.channel;
    return channel !== undefined;
  });
  if (!channel) throw new Error('no revocation was published');
  return channel;
}

describe('REDIS_PREFIX namespaces the revocation channel', () => {
  it('a revocation on deployment X’s channel leaves deployment Y’s tokens alone', async () => {
    const tag = randomBytes(4).toString('hex');
    const x = await deployment(`gx-${tag}:`);
    const y = await deployment(`gy-${tag}:`);
    const xChannel = await channelOf(x);
    const yChannel = await channelOf(y);
    expect(xChannel).toBe(`gx-${tag}:revocations`);
    expect(yChannel).toBe(`gy-${tag}:revocations`);

    const user = await tokenUser(y);
    const first = await logIn(y, user.email, user.password);
    const second = await logIn(y, user.email, user.password);
    const revoke = (token: string) =>
      JSON.stringify({
        type: 'session_revoked',
        sid: claimsOf(token).sid,
        untilEpochSeconds: Math.floor(y.clock.now() / 1000) + 600,
      });
    const publisher = new Redis(redis.url);
    try {
      // One connection publishes both, so Y receives them in this order.
      await publisher.publish(xChannel, revoke(first.accessToken));
      await publisher.publish(yChannel, revoke(second.accessToken));
    } finally {
      publisher.disconnect();
    }
    expect(
      await within(1000, async () => (await meWithToken(y, second.accessToken)).status === 401),
    ).toBe(true);
    expect((await meWithToken(y, first.accessToken)).status).toBe(200);
  });
});
