import { afterEach, describe, expect, it, vi } from 'vitest';
import { purgeExpired } from '../../src/authn/purge.js';
import type { SettingsInput } from '../../src/config/schema.js';
import type { WebhookDeliveriesTable } from '../../src/store/schema.js';
import { signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { failWrites } from '../helpers/failing-writes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  newWebhookSecret,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js';

type Row = WebhookDeliveriesTable & { attempts: number };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** A receiver and a server sending it every event, retrying after 0.5–1 s, 1–2 s, … on the test clock. */
async function setUp(
  webhooks: NonNullable<SettingsInput['webhooks']> = {},
  endpoints: (url: string, secret: string) => object[] = (url, secret) => [
    { id: 'app', url, secret, events: ['*'] },
  ],
): Promise<{ server: TestServer; receiver: WebhookReceiver; secret: string }> {
  const receiver = await startWebhookReceiver();
  cleanup.push(() => receiver.stop());
  const secret = newWebhookSecret();
  const server = await startTestServer({
    settings: {
      webhooks: {
        initialRetrySeconds: 1,
        maxAttempts: 3,
        timeoutSeconds: 1,
        pollIntervalSeconds: 1,
        ...webhooks,
        endpoints: endpoints(receiver.url, secret) as never,
      },
    },
  });
  cleanup.push(() => server.stop());
  return { server, receiver, secret };
}

const until = (check: () => boolean | Promise<boolean>) =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('not yet');
    },
    { timeout: 15_000, interval: 25 },
  );

const rows = (server: TestServer): Promise<Row[]> =>
  server.core.store.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .orderBy('created_at')
    .execute() as Promise<Row[]>;

/** Waits until no attempt is in flight (its outcome recorded), then returns the rows. */
async function settled(server: TestServer, count = 1): Promise<Row[]> {
  await until(async () => {
    const all = await rows(server);
    return all.length === count && all.every((r) => r.lease_token === null && r.attempts > 0);
  });
  return rows(server);
}

const signUp = async (server: TestServer, email = uniqueEmail()) => {
  const response = await new Client(server.url).post<{ user: { id: string } }>('/auth/register', {
    email,
    password: strongPassword,
  });
  expect(response.status).toBe(201);
  return { email, id: response.body.user.id };
};

describe('webhooks: a signed POST per event, in the background', () => {
  it('a sign-up sends user.created with a Standard Webhooks signature; another secret fails it', async () => {
    const { server, receiver, secret } = await setUp();
    const user = await signUp(server);
    await until(() => receiver.received.length === 1);
    const [sent] = receiver.received;
    if (!sent) throw new Error('nothing received');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['webhook-id']).toMatch(/^evt_[0-9a-f]{32}$/);
    const payload = receiver.verify(sent, secret);
    expect(payload.type).toBe('user.created');
    expect(payload.data).toEqual({ userId: user.id, email: user.email, provider: null });
    expect(JSON.parse(sent.body).timestamp).toBe(
      new Date(JSON.parse(sent.body).timestamp).toISOString(),
    );
    expect(() => receiver.verify(sent, newWebhookSecret())).toThrow(/signature/i);
    const tampered = { ...sent, body: sent.body.replace(user.email, 'attacker@example.com') };
    expect(() => receiver.verify(tampered, secret)).toThrow(/signature/i);
    const [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 1, last_status: 200, event_type: 'user.created' });
    expect(row?.delivered_at).not.toBeNull();
    // The secret is never written to a log line.
    expect(server.logs.join('')).not.toContain(secret.slice('whsec_'.length, 20));
  });

  it('500, 500, then 200: three attempts of one event, recorded, delivered once', async () => {
    const { server, receiver, secret } = await setUp();
    receiver.answer = (_id, attempt) => (attempt <= 2 ? 500 : 200);
    await signUp(server);
    let [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 1, last_status: 500, last_error: 'status 500' });
    // Not due before its backoff: a run now sends nothing.
    await server.core.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    server.clock.advance(1000);
    await until(() => receiver.received.length === 2);
    [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 2, last_status: 500 });
    server.clock.advance(2000);
    await until(() => receiver.received.length === 3);
    [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 3, last_status: 200, last_error: null });
    expect(row?.delivered_at).not.toBeNull();
    server.clock.advance(3600_000);
    await server.core.webhooks.deliverDue();
    expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 200]);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const sent of receiver.received)
      expect(receiver.verify(sent, secret).type).toBe('user.created');
  });

  it('gives up after maxAttempts, and at once on a 4xx; the failure is recorded', async () => {
    const { server, receiver } = await setUp({ maxAttempts: 2 });
    receiver.answer = () => 503;
    await signUp(server);
    await settled(server);
    server.clock.advance(1000);
    await until(async () => (await rows(server))[0]?.failed_at !== null);
    expect((await rows(server))[0]).toMatchObject({ attempts: 2, last_status: 503 });
    expect(server.logs.join('')).toMatch(/webhook given up/);

    receiver.answer = () => 410;
    await signUp(server);
    await settled(server, 2);
    const gone = (await rows(server))[1];
    expect(gone).toMatchObject({ attempts: 1, last_status: 410, delivered_at: null });
    expect(gone?.failed_at).not.toBeNull();
    server.clock.advance(3600_000);
    await server.core.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(3);
  });

  it('a redirect is not followed: the delivery is given up, the Location never called', async () => {
    const { server, receiver } = await setUp();
    receiver.answer = () => 307;
    await signUp(server);
    const [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 1, last_status: 307, delivered_at: null });
    expect(row?.failed_at).not.toBeNull();
    expect(receiver.received).toHaveLength(1);
  });

  it('receiver down: the request answers at once, the event is sent once it is back', async () => {
    const { server, receiver, secret } = await setUp();
    await receiver.stop();
    const user = await signUp(server);
    let [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 1, last_status: null, last_error: 'ECONNREFUSED' });
    await receiver.start();
    server.clock.advance(1000);
    await until(() => receiver.received.length === 1);
    [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 2, last_status: 200 });
    const [sent] = receiver.received;
    expect(sent && receiver.verify(sent, secret).data.userId).toBe(user.id);
  });

  it('a receiver that never answers holds no request: the attempt times out in the background', async () => {
    const { server, receiver } = await setUp();
    receiver.answer = (_id, attempt) => (attempt === 1 ? 'hang' : 200);
    await signUp(server);
    // The sign-up has answered while the attempt is still waiting for the receiver.
    await until(() => receiver.received.length === 1);
    expect((await rows(server))[0]?.lease_token).not.toBeNull();
    const [row] = await settled(server);
    expect(row).toMatchObject({ attempts: 1, last_error: 'timeout' });
    server.clock.advance(1000);
    await until(async () => (await rows(server))[0]?.delivered_at !== null);
  });

  it('10 parallel sign-ups: 10 deliveries, each with its own id, each user once', async () => {
    const { server, receiver, secret } = await setUp();
    const users = await Promise.all(Array.from({ length: 10 }, () => signUp(server)));
    await until(() => receiver.received.length === 10);
    await settled(server, 10);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(10);
    const told = receiver.received.map((r) => receiver.verify(r, secret).data.userId).sort();
    expect(told).toEqual(users.map((u) => u.id).sort());
  });

  it('two servers sharing the database send each event once', async () => {
    const { server: a, receiver, secret } = await setUp();
    const b = await startTestServer({ shareWith: a, settings: a.core.settings as SettingsInput });
    cleanup.push(() => b.stop());
    // Every first attempt fails, so both servers' loops race for the retries.
    receiver.answer = (_id, attempt) => (attempt === 1 ? 500 : 200);
    await Promise.all([
      ...Array.from({ length: 5 }, () => signUp(a)),
      ...Array.from({ length: 5 }, () => signUp(b)),
    ]);
    await settled(a, 10);
    a.clock.advance(1000);
    await Promise.all([a.core.webhooks.deliverDue(), b.core.webhooks.deliverDue()]);
    await until(() => receiver.received.filter((r) => r.status === 200).length === 10);
    await settled(a, 10);
    a.clock.advance(3600_000);
    await Promise.all([a.core.webhooks.deliverDue(), b.core.webhooks.deliverDue()]);
    const perId = new Map<string, number[]>();
    for (const sent of receiver.received) {
      receiver.verify(sent, secret);
      const id = String(sent.headers['webhook-id']);
      perId.set(id, [...(perId.get(id) ?? []), sent.status]);
    }
    expect(perId.size).toBe(10);
    for (const statuses of perId.values()) expect(statuses).toEqual([500, 200]);
  });
});

describe('events commit with their change, or not at all', () => {
  it('a ban that rolls back (its second delivery row refused) sends nothing', async () => {
    const { server, receiver, secret } = await setUp({}, (url, secret) => [
      { id: 'app', url, secret, events: ['*'] },
      { id: 'audit-sink', url: `${url}/sink`, secret, events: ['user.banned'] },
    ]);
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await signedInUser(server);
    await settled(server, 2);
    await failWrites(server, {
      name: 'fail_second_delivery',
      table: 'webhook_deliveries',
      event: 'INSERT',
      when: "NEW.endpoint = 'audit-sink'",
    });
    const ban = await admin.client.post(`/admin/users/${target.userId}/ban`, {});
    expect(ban.status).toBe(500);
    expect((await target.client.get('/auth/me')).status).toBe(200);
    // A later event arrives; the ban's never did and never will.
    const later = await signUp(server);
    await until(() => receiver.received.length === 3);
    await settled(server, 3);
    const types = receiver.received.map((r) => receiver.verify(r, secret));
    expect(types.map((p) => p.type)).toEqual(['user.created', 'user.created', 'user.created']);
    expect(types[2]?.data.userId).toBe(later.id);
  });

  it('an app transaction that rolls back after audit() runs no hook and sends no webhook', async () => {
    const { server, receiver, secret } = await setUp();
    const { audit } = await import('../../src/authn/audit.js');
    const seen: string[] = [];
    server.core.events.on('*', (event) => {
      seen.push(event.type);
    });
    const user = await signUp(server);
    await until(() => seen.length === 1 && receiver.received.length === 1);
    await expect(
      server.core.store.db.transaction().execute(async (trx) => {
        await audit(
          server.core,
          { type: 'user_banned', outcome: 'success', userId: user.id, detail: {} },
          { ip: null, userAgent: 'test' },
          trx,
        );
        throw new Error('the app changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    await signUp(server);
    await until(() => seen.length === 2 && receiver.received.length === 2);
    expect(seen).toEqual(['user.created', 'user.created']);
    expect(receiver.received.map((r) => receiver.verify(r, secret).type)).toEqual([
      'user.created',
      'user.created',
    ]);
    expect(await rows(server)).toHaveLength(2);
  });
});

describe('in-process hooks (core.events)', () => {
  it('run after commit with the webhook’s event; a failing hook is logged and breaks nothing', async () => {
    const { server, receiver } = await setUp();
    const events: Array<{ id: string; type: string; data: { email: string | null } }> = [];
    server.core.events.on('user.created', () => {
      throw new Error('a bug in the app’s hook');
    });
    const off = server.core.events.on('user.created', async (event) => {
      events.push(event);
    });
    const user = await signUp(server);
    await until(() => events.length === 1 && receiver.received.length === 1);
    expect(events[0]).toMatchObject({ type: 'user.created', data: { email: user.email } });
    expect(events[0]?.id).toBe(receiver.received[0]?.headers['webhook-id']);
    await until(() => server.logs.some((line) => line.includes('hook user.created')));
    off();
    await signUp(server);
    await until(() => receiver.received.length === 2);
    expect(events).toHaveLength(1);
  });

  it('session.revoked, password.changed and user.banned carry what the app needs', async () => {
    const { server, receiver, secret } = await setUp();
    const admin = await signedInUser(server, { roles: ['admin'] });
    const user = await signedInUser(server);
    const other = await signedInUser(server);
    expect((await user.client.post('/auth/logout', {})).status).toBe(204);
    const changed = await other.client.post('/auth/password/change', {
      currentPassword: other.password,
      newPassword: `${other.password} and more`,
    });
    expect(changed.status).toBe(204);
    expect(
      (await admin.client.post(`/admin/users/${other.userId}/ban`, { reason: 'spam' })).status,
    ).toBe(200);
    await until(() => receiver.received.length === 6);
    const payloads = receiver.received.map((r) => receiver.verify(r, secret));
    const of = (type: string) => payloads.filter((p) => p.type === type).map((p) => p.data);
    expect(of('session.revoked')).toEqual([
      { userId: user.userId, email: user.email, reason: 'logout', sessionId: null, count: 1 },
    ]);
    expect(of('password.changed')).toEqual([
      { userId: other.userId, email: other.email, via: 'change' },
    ]);
    expect(of('user.banned')).toEqual([
      { userId: other.userId, email: other.email, reason: 'spam', by: admin.userId },
    ]);
  });
});

describe('the purge', () => {
  it('deletes delivery rows older than webhooks.retentionDays, sent or not, and keeps newer ones', async () => {
    const { server, receiver } = await setUp({ retentionDays: 2 });
    receiver.answer = (_id, attempt) => (attempt === 1 ? 500 : 200);
    await signUp(server);
    await settled(server);
    server.clock.advance(2 * 86_400_000 + 1000);
    const recent = await signUp(server);
    await settled(server, 2);
    expect((await purgeExpired(server.core)).webhookDeliveries).toBe(1);
    const left = await rows(server);
    expect(left).toHaveLength(1);
    expect(JSON.parse(left[0]?.payload ?? '{}').data.userId).toBe(recent.id);
  });
});

describe('endpoint settings are checked at start-up', () => {
  const secret = newWebhookSecret();
  const start = (nodeEnv: 'test' | 'production', endpoint: object) =>
    startTestServer({
      settings: {
        nodeEnv,
        ...(nodeEnv === 'production' ? { publicUrl: 'https://auth.example.com' } : {}),
        webhooks: { endpoints: [{ id: 'app', events: ['*'], ...endpoint }] as never },
      },
    });

  it('plain http only to a loopback address, and no loopback address in production', async () => {
    await expect(start('test', { url: 'http://hooks.example.com/in', secret })).rejects.toThrow(
      /webhooks\.endpoints\.0\.url: must be https/,
    );
    await expect(start('production', { url: 'https://127.0.0.1:9/in', secret })).rejects.toThrow(
      /webhooks\.endpoints\.0\.url: a loopback address is refused in production/,
    );
  });

  it('a secret that is not whsec_ + base64 is refused without being shown', async () => {
    const weak = 'whsec_c2hvcnQ=';
    const failure = start('test', { url: 'http://127.0.0.1:9/in', secret: weak });
    await expect(failure).rejects.toThrow(
      /webhooks\.endpoints\.0\.secret: not a Standard Webhooks secret/,
    );
    await expect(failure).rejects.not.toThrow(/c2hvcnQ/);
    await expect(
      start('test', { url: 'http://127.0.0.1:9/in', secretEnv: 'GATEHOUSE_TEST_UNSET_SECRET' }),
    ).rejects.toThrow(/secretEnv: GATEHOUSE_TEST_UNSET_SECRET is not set/);
  });
});
