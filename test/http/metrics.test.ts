import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredUser, signedInUser, strongPassword, uniqueEmail } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { metricOf, newMetricsToken, sample, scrape } from '../helpers/metrics.js';
import { challengeFor, nextCode, totpUser, wrongCode } from '../helpers/mfa.js';
import { mailedToken } from '../helpers/outbox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { refreshWith, tokenUser, within } from '../helpers/tokens.js';

const token = newMetricsToken();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    settings: { metrics: { token }, rateLimit: { loginPerAccount: 3 } },
  });
});
afterAll(async () => server.stop());

const login = (email: string, password: string) =>
  new Client(server.url).post('/auth/login', { email, password });

const signIns = (method: string, outcome: string) =>
  metricOf(server, token, 'gatehouse_sign_ins_total', { method, outcome });

describe('GET /metrics on the main port', () => {
  it('answers 404 without the token, with a wrong one, and to a user credential', async () => {
    const user = await tokenUser(server);
    for (const authorization of [
      undefined,
      `Bearer ${token.slice(0, -1)}x`,
      `Bearer ${token}x`,
      `Basic ${Buffer.from(`metrics:${token}`).toString('base64')}`,
      `Bearer ${user.accessToken}`,
    ]) {
      const answer = await new Client(server.url).get('/metrics', {
        headers: authorization ? { authorization } : {},
      });
      expect(answer.status, authorization).toBe(404);
      expect(answer.body.code).toBe('not_found');
      expect(answer.text).not.toContain('gatehouse_');
    }
  });

  it('with the token: the Prometheus text format, gatehouse_* and Node’s default metrics', async () => {
    const answer = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await answer.text();
    for (const name of [
      'gatehouse_http_requests_total',
      'gatehouse_http_request_duration_seconds',
      'gatehouse_sign_ins_total',
      'gatehouse_rate_limited_total',
      'gatehouse_refresh_token_reuse_total',
      'gatehouse_revocation_feed_lag_seconds',
      'gatehouse_password_hash_queue_depth',
      'gatehouse_password_hash_wait_seconds',
      'gatehouse_db_pool_connections',
      'gatehouse_db_query_errors_total',
      'gatehouse_redis_errors_total',
      'gatehouse_redis_reconnects_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'process_cpu_seconds_total',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('is not served without a token: 404 whatever is sent', async () => {
    const closed = await startTestServer();
    try {
      const answer = await new Client(closed.url).get('/metrics', {
        headers: { authorization: 'Bearer ' },
      });
      expect(answer.status).toBe(404);
      expect((await new Client(closed.url).get('/metrics')).status).toBe(404);
    } finally {
      await closed.stop();
    }
  });
});

describe('GET /metrics on the metrics port', () => {
  it('serves /metrics alone on its own port; the main port keeps it closed without a token', async () => {
    const withPort = await startTestServer({ settings: { metrics: { port: 0 } } });
    try {
      const base = withPort.metricsUrl as string;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(withPort.logs.join('')).toContain(`metrics served at ${base}/metrics`);
      expect(
        sample(await scrape(base), 'gatehouse_db_pool_connections', { state: 'idle' }),
      ).toBeGreaterThanOrEqual(0);
      expect((await scrape(base)).includes('# TYPE gatehouse_sign_ins_total counter')).toBe(true);
      const elsewhere = await new Client(base).get('/auth/me');
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.code).toBe('not_found');
      expect((await new Client(withPort.url).get('/metrics')).status).toBe(404);
    } finally {
      await withPort.stop();
    }
  });

  it('asks for the token there too when one is set', async () => {
    const portToken = newMetricsToken();
    const guarded = await startTestServer({
      settings: { metrics: { port: 0, token: portToken } },
    });
    try {
      const base = guarded.metricsUrl as string;
      const refused = await new Client(base).get('/metrics');
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('unauthenticated');
      expect(refused.text).not.toContain('gatehouse_');
      const wrong = await new Client(base).get('/metrics', {
        headers: { authorization: `Bearer ${newMetricsToken()}` },
      });
      expect(wrong.status).toBe(401);
      expect(await scrape(base, portToken)).toContain('gatehouse_http_requests_total');
    } finally {
      await guarded.stop();
    }
  });
});

describe('counters that move with what happens', () => {
  it('a failed and a successful password sign-in', async () => {
    const user = await registeredUser(server);
    const [failures, successes] = [
      await signIns('password', 'failure'),
      await signIns('password', 'success'),
    ];
    expect((await login(user.email, 'not the password at all')).status).toBe(401);
    expect((await login(uniqueEmail('nobody'), strongPassword)).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect(await signIns('password', 'failure')).toBe(failures + 2);
    expect(await signIns('password', 'success')).toBe(successes + 1);
  });

  it('a magic-link sign-in counts as its own method', async () => {
    const user = await registeredUser(server);
    const before = await signIns('magic_link', 'success');
    expect(
      (await new Client(server.url).post('/auth/magic-link', { email: user.email })).status,
    ).toBe(202);
    const link = await mailedToken(server, user.email, /sign-in link/);
    expect(
      (await new Client(server.url).post('/auth/magic-link/verify', { token: link })).status,
    ).toBe(200);
    expect(await signIns('magic_link', 'success')).toBe(before + 1);
  });

  it('a banned account’s sign-in, and the ban seen over the revocation feed', async () => {
    const { client: admin } = await signedInUser(server, { roles: ['admin'] });
    const user = await registeredUser(server);
    const [banned, applied] = [
      await signIns('password', 'banned'),
      await metricOf(server, token, 'gatehouse_revocation_feed_lag_seconds_count'),
    ];
    expect((await admin.post(`/admin/users/${user.id}/ban`, {})).status).toBe(200);
    // The instance hears its own publish on the feed, as every other instance does.
    expect(
      await within(
        5_000,
        async () =>
          (await metricOf(server, token, 'gatehouse_revocation_feed_lag_seconds_count')) > applied,
      ),
    ).toBe(true);
    expect((await login(user.email, user.password)).status).toBe(403);
    expect(await signIns('password', 'banned')).toBe(banned + 1);
  });

  it('a rate-limit refusal, by the limit that refused', async () => {
    const user = await registeredUser(server);
    const limit = { limit: 'login_account_source' };
    const before = await metricOf(server, token, 'gatehouse_rate_limited_total', limit);
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push((await login(user.email, 'wrong password 1234')).status);
    expect(answers).toEqual([401, 401, 401, 429]);
    expect(await metricOf(server, token, 'gatehouse_rate_limited_total', limit)).toBe(before + 1);
  });

  it('a refresh-token reuse', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const before = await metricOf(server, token, 'gatehouse_refresh_token_reuse_total');
    expect((await refreshWith(server, user.refreshToken)).status).toBe(200);
    server.clock.advance((server.core.settings.tokens.refreshGraceSeconds + 1) * 1000);
    expect((await refreshWith(server, user.refreshToken)).status).toBe(401);
    expect(await metricOf(server, token, 'gatehouse_refresh_token_reuse_total')).toBe(before + 1);
  });

  it('a sign-in that asks for a second factor, and the factor’s wrong and right answers', async () => {
    const user = await totpUser(server);
    const factor = (outcome: string) =>
      metricOf(server, token, 'gatehouse_mfa_challenges_total', { factor: 'totp', outcome });
    const [asked, wrong] = [await signIns('password', 'mfa_required'), await factor('failure')];
    const challenge = await challengeFor(server, user.email, user.password);
    expect(await signIns('password', 'mfa_required')).toBe(asked + 1);
    const answer = await new Client(server.url).post('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code: wrongCode(server, user.secret),
    });
    expect(answer.status).toBe(401);
    expect(await factor('failure')).toBe(wrong + 1);
    const right = await factor('success');
    const done = await new Client(server.url).post('/auth/mfa/verify', {
      challenge,
      method: 'totp',
      code: nextCode(server, user.secret),
    });
    expect(done.status).toBe(200);
    expect(await factor('success')).toBe(right + 1);
  });

  it('password hashes are timed through the hash queue', async () => {
    const before = await metricOf(server, token, 'gatehouse_password_hash_wait_seconds_count');
    const user = await registeredUser(server);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect(
      await metricOf(server, token, 'gatehouse_password_hash_wait_seconds_count'),
    ).toBeGreaterThan(before);
  });
});

describe('HTTP request metrics', () => {
  it('label requests by route template, method and status: no ids, emails or tokens', async () => {
    const { client: admin } = await signedInUser(server, { roles: ['admin'] });
    const user = await tokenUser(server);
    const banned = `/admin/users/${user.userId}/ban`;
    expect((await admin.post(banned, {})).status).toBe(200);
    expect((await new Client(server.url).get(`/auth/${user.refreshToken}`)).status).toBe(404);
    const text = await scrape(server.url, token);
    expect(
      sample(text, 'gatehouse_http_requests_total', {
        route: '/admin/users/:id/ban',
        method: 'POST',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'gatehouse_http_request_duration_seconds_count', {
        route: '/admin/users/:id/ban',
        method: 'POST',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'gatehouse_http_requests_total', {
        route: 'unmatched',
        method: 'GET',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    for (const secret of [user.userId, user.email, user.refreshToken, user.accessToken, token])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/@example\.com/);
  });

  it('an unknown method is one label value, not the client’s word', async () => {
    await fetch(`${server.url}/healthz`, { method: 'PROPFIND' });
    const text = await scrape(server.url, token);
    expect(text).not.toContain('PROPFIND');
  });
});
