import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failWrites } from '../helpers/failing-writes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { refreshWith, tokenUser } from '../helpers/tokens.js';

/**
 * A refresh rotates the token and slides the session in one transaction. When
 * the second write failed after the first had committed, the client got an
 * error although its token was already spent: its retry after the grace window
 * was taken for token theft and the session was revoked.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('a refresh that fails half-way spends nothing', () => {
  it('the same refresh token works after the failure, even past the grace window', async () => {
    const user = await tokenUser(server, { delivery: 'body' });
    const undo = await failWrites(server, {
      name: 'fail_touch',
      table: 'sessions',
      event: 'UPDATE',
      when: 'NEW.last_seen_at <> OLD.last_seen_at',
    });
    server.clock.advance(2_000);
    const failed = await refreshWith(server, user.refreshToken);
    expect(failed.status).toBe(500);
    await undo();

    server.clock.advance((server.core.settings.tokens.refreshGraceSeconds + 1) * 1000);
    const retried = await refreshWith(server, user.refreshToken);
    expect(retried.status).toBe(200);
    expect(typeof retried.body.accessToken).toBe('string');
  });
});
