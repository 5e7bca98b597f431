import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeRevocations } from '../../src/store/repositories/revocations.js';
import { signedInUser } from '../helpers/accounts.js';
import {
  eventually,
  messagesOf,
  type OpenStream,
  openStream,
  resourceServerAccount,
  type ServiceAccount,
} from '../helpers/revocation-stream.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tokenUser } from '../helpers/tokens.js';

let server: TestServer;
let account: ServiceAccount;
const opened: OpenStream[] = [];

const subscribe = async (headers: Record<string, string> = {}, path?: string) => {
  const stream = await openStream(
    server.url,
    { authorization: account.authorization, ...headers },
    path,
  );
  opened.push(stream);
  return stream;
};
const isReady = (event: { type: string }) => event.type === 'ready';

/** A user who signs in and out: one session revocation. */
async function loggedOut(): Promise<{ sid: string; userId: string }> {
  const user = await tokenUser(server);
  const { sid } = JSON.parse(
    Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString(),
  ) as { sid: string };
  expect((await user.client.post('/auth/logout')).status).toBe(204);
  return { sid, userId: user.userId };
}

beforeAll(async () => {
  server = await startTestServer({ settings: { revocation: { streamHeartbeatSeconds: 1 } } });
  account = await resourceServerAccount(server);
});
afterAll(async () => {
  for (const stream of opened) stream.close();
  await server.stop();
});

describe('GET /auth/revocations: who may subscribe', () => {
  it('is 401 without a credential, 403 for people, admins and service accounts without the role', async () => {
    const anonymous = await fetch(`${server.url}/auth/revocations`);
    expect(anonymous.status).toBe(401);
    const person = await tokenUser(server);
    const admin = await tokenUser(server, { roles: ['admin'] });
    const plainService = await resourceServerAccount(server, []);
    for (const authorization of [
      `Bearer ${person.accessToken}`,
      `Bearer ${admin.accessToken}`,
      plainService.authorization,
    ]) {
      const refused = await fetch(`${server.url}/auth/revocations`, { headers: { authorization } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const cookie = await person.client.get('/auth/revocations');
    expect(cookie.status).toBe(403);
  });

  it('streams to a service account holding revocations:read (role resource_server)', async () => {
    const stream = await subscribe();
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-store');
    await stream.next(isReady);
    expect(stream.raw).toMatch(/^: gatehouse revocations\nretry: \d+\n\n/);
  });

  it('refuses a resume point that is not an id', async () => {
    for (const value of ['abc', '-1', '1e5', '12345678901234567890']) {
      const bad = await fetch(`${server.url}/auth/revocations`, {
        headers: { authorization: account.authorization, 'last-event-id': value },
      });
      expect(bad.status, value).toBe(400);
    }
    const query = await fetch(`${server.url}/auth/revocations?after=x`, {
      headers: { authorization: account.authorization },
    });
    expect(query.status).toBe(400);
  });
});

describe('GET /auth/revocations: what it sends', () => {
  it('sends every revocation in force with its seq as the id, then ready, then live ones', async () => {
    const before = await loggedOut();
    const stream = await subscribe();
    const ready = await stream.next(isReady);
    const backlog = messagesOf(stream);
    const sent = backlog.find((message) => message.sid === before.sid);
    expect(sent).toMatchObject({ type: 'session_revoked', sid: before.sid });
    expect(sent?.id).toBe(String(sent?.seq));
    expect(Number(ready.lastEventId)).toBeGreaterThanOrEqual(Number(sent?.seq));
    expect(JSON.parse(ready.data)).toEqual({ seq: Number(ready.lastEventId) });

    const live = await loggedOut();
    const event = await stream.next((e) => e.data.includes(live.sid));
    const message = JSON.parse(event.data) as { seq: number; untilEpochSeconds: number };
    expect(event.lastEventId).toBe(String(message.seq));
    expect(message.untilEpochSeconds).toBeGreaterThan(server.clock.now() / 1000);
  });

  it('resumes after Last-Event-ID (or ?after=) with only what came later', async () => {
    const first = await loggedOut();
    const stream = await subscribe();
    await stream.next(isReady);
    const seen = messagesOf(stream).find((m) => m.sid === first.sid);
    stream.close();
    const later = await loggedOut();
    for (const resumed of [
      await subscribe({ 'last-event-id': String(seen?.id) }),
      await subscribe({}, `/auth/revocations?after=${String(seen?.id)}`),
    ]) {
      await resumed.next(isReady);
      const sids = messagesOf(resumed).map((m) => m.sid);
      expect(sids).toContain(later.sid);
      expect(sids).not.toContain(first.sid);
      expect(resumed.events.some((e) => e.type === 'reset')).toBe(false);
    }
  });

  it('bans and role changes go out as user_banned and roles_changed; API keys never', async () => {
    const stream = await subscribe();
    await stream.next(isReady);
    const admin = await signedInUser(server, { roles: ['admin'] });
    const target = await tokenUser(server);
    const key = await target.client.post<{ apiKey: { id: string } }>('/auth/api-keys', {
      name: 'k',
    });
    expect(key.status).toBe(201);
    expect((await target.client.delete(`/auth/api-keys/${key.body.apiKey.id}`)).status).toBe(204);
    expect(
      (await admin.client.put(`/admin/users/${target.userId}/roles`, { roles: ['admin'] })).status,
    ).toBe(200);
    expect((await admin.client.post(`/admin/users/${target.userId}/ban`, {})).status).toBe(200);
    await stream.next((e) => e.data.includes('user_banned') && e.data.includes(target.userId));
    const types = messagesOf(stream)
      .filter((m) => m.sub === target.userId)
      .map((m) => m.type);
    expect(types).toEqual(['roles_changed', 'user_banned']);
    expect(stream.raw).not.toContain('api_key');
    expect(stream.raw).not.toContain(key.body.apiKey.id);
  });

  it('leaves out what has expired', async () => {
    const old = await loggedOut();
    const fresh = await subscribe();
    await fresh.next(isReady);
    expect(messagesOf(fresh).some((m) => m.sid === old.sid)).toBe(true);
    // Past the access token lifetime and the skew: no token of that session can be valid.
    server.clock.advance((server.core.settings.tokens.accessTokenLifetimeSeconds + 60) * 1000);
    const later = await subscribe();
    await later.next(isReady);
    expect(messagesOf(later).some((m) => m.sid === old.sid)).toBe(false);
  });

  it('says reset when the resume point is not in the history, then sends everything in force', async () => {
    const stream = await subscribe({ 'last-event-id': '999999999' });
    const reset = await stream.next((e) => e.type === 'reset');
    expect(JSON.parse(reset.data)).toMatchObject({ reason: 'unknown_position' });
    const inForce = await loggedOut();
    await stream.next((e) => e.data.includes(inForce.sid));
  });

  it('says reset (purged) when rows after the resume point were purged', async () => {
    const gone = await loggedOut();
    const probe = await subscribe();
    await probe.next(isReady);
    const goneSeq = Number(messagesOf(probe).find((m) => m.sid === gone.sid)?.seq);
    server.clock.advance(3 * 3600_000);
    const kept = await loggedOut();
    await purgeRevocations(server.core.store.db, server.clock.now() - 3600_000, 10_000);
    const resumed = await subscribe({ 'last-event-id': String(goneSeq - 1) });
    const reset = await resumed.next((e) => e.type === 'reset');
    expect(JSON.parse(reset.data)).toMatchObject({ reason: 'purged' });
    await resumed.next(isReady);
    const sids = messagesOf(resumed).map((m) => m.sid);
    expect(sids).toContain(kept.sid);
    expect(sids).not.toContain(gone.sid);
  });

  it('sends heartbeats as comments', async () => {
    const stream = await subscribe();
    await stream.next(isReady);
    await eventually(() => stream.raw.includes(': heartbeat\n\n'), 5000);
  });
});

describe('GET /auth/revocations: many subscribers', () => {
  it('tells 10 subscribers of one logout, and forgets each that goes away', async () => {
    const listenersBefore = server.core.revocations.listeners;
    const streams = await Promise.all(Array.from({ length: 10 }, () => subscribe()));
    await Promise.all(streams.map((stream) => stream.next(isReady)));
    expect(server.core.revocations.listeners).toBe(listenersBefore + 10);
    const revoked = await loggedOut();
    const heard = await Promise.all(
      streams.map((stream) => stream.next((e) => e.data.includes(revoked.sid))),
    );
    expect(new Set(heard.map((event) => event.lastEventId)).size).toBe(1);
    for (const stream of streams) stream.close();
    await eventually(() => server.core.revocations.listeners === listenersBefore);
  });

  it('ends the stream of a subscriber that is banned; it cannot come back', async () => {
    const doomed = await resourceServerAccount(server);
    const stream = await openStream(server.url, { authorization: doomed.authorization });
    opened.push(stream);
    await stream.next(isReady);
    const admin = await signedInUser(server, { roles: ['admin'] });
    expect((await admin.client.post(`/admin/users/${doomed.id}/ban`, {})).status).toBe(200);
    await stream.ended;
    const again = await fetch(`${server.url}/auth/revocations`, {
      headers: { authorization: doomed.authorization },
    });
    expect(again.status).toBe(401);
  });

  it('ends the stream when the session behind its access token is revoked; the token cannot come back', async () => {
    const subscriber = await tokenUser(server, { roles: ['resource_server'] });
    const authorization = `Bearer ${subscriber.accessToken}`;
    const stream = await openStream(server.url, { authorization });
    opened.push(stream);
    await stream.next(isReady);
    expect((await subscriber.client.post('/auth/logout')).status).toBe(204);
    await stream.ended;
    const again = await fetch(`${server.url}/auth/revocations`, { headers: { authorization } });
    expect(again.status).toBe(401);
  });

  it('keeps the stream of another subscriber when someone else logs out', async () => {
    const subscriber = await tokenUser(server, { roles: ['resource_server'] });
    const stream = await openStream(server.url, {
      authorization: `Bearer ${subscriber.accessToken}`,
    });
    opened.push(stream);
    await stream.next(isReady);
    const { sid } = await loggedOut();
    const heard = await stream.next(
      (event) => event.type === 'message' && event.data.includes(sid),
    );
    expect(heard).toBeDefined();
    let ended = false;
    void stream.ended.then(() => {
      ended = true;
    });
    // A heartbeat after the other session's revocation: the stream is still open.
    const heartbeats = stream.raw.split(': heartbeat').length;
    await eventually(() => stream.raw.split(': heartbeat').length > heartbeats, 5000);
    expect(ended).toBe(false);
  });
});

describe('start-up', () => {
  it('prints the one line a resource server copies: issuer, audience, JWKS and stream URLs', () => {
    const line = server.logs.find((text) => text.includes('resource servers:'));
    const { msg } = JSON.parse(line ?? '{}') as { msg?: string };
    expect(msg).toBe(
      `resource servers: GATEHOUSE_ISSUER=${server.core.issuer} GATEHOUSE_AUDIENCE=gatehouse ` +
        `GATEHOUSE_JWKS_URL=${server.url}/.well-known/jwks.json GATEHOUSE_REVOCATIONS_URL=${server.url}/auth/revocations`,
    );
  });
});
