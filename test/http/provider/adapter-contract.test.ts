/**
 * The provider's storage contract, run on the store the suite runs on
 * (SQLite, and PostgreSQL when DATABASE_URL is set): what oidc-provider
 * relies on an adapter for, and the single use Gatehouse adds.
 */
import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreAdapter } from '../../../src/provider/adapter.js';
import { createClient } from '../../../src/provider/clients.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let adapterFor: ReturnType<typeof createStoreAdapter>;
let counter = 0;
const id = (kind: string) => `${kind}-${++counter}-${process.pid}`;

beforeAll(async () => {
  server = await startTestServer();
  adapterFor = createStoreAdapter(server.core.store.db, server.clock);
});
afterAll(() => server.stop());

describe('oauth payload adapter', () => {
  it('upsert then find returns the payload; upsert again replaces it', async () => {
    const codes = adapterFor('AuthorizationCode');
    const code = id('code');
    await codes.upsert(code, { accountId: 'u1', grantId: 'g1', scope: 'openid' }, 60);
    expect(await codes.find(code)).toMatchObject({ accountId: 'u1', scope: 'openid' });
    await codes.upsert(code, { accountId: 'u1', grantId: 'g1', scope: 'openid email' }, 60);
    expect(await codes.find(code)).toMatchObject({ scope: 'openid email' });
    expect(await adapterFor('AccessToken').find(code)).toBeUndefined();
  });

  it('an expired payload is not found; one without expiry stays', async () => {
    const tokens = adapterFor('AccessToken');
    const short = id('at');
    const forever = id('at');
    await tokens.upsert(short, { accountId: 'u1' }, 10);
    await tokens.upsert(forever, { accountId: 'u1' });
    server.clock.advance(11_000);
    expect(await tokens.find(short)).toBeUndefined();
    expect(await tokens.find(forever)).toMatchObject({ accountId: 'u1' });
  });

  it('finds sessions by uid and device codes by user code', async () => {
    const sessions = adapterFor('Session');
    const sessionId = id('session');
    const uid = id('uid');
    await sessions.upsert(sessionId, { uid, accountId: 'u2' }, 600);
    expect(await sessions.findByUid(uid)).toMatchObject({ accountId: 'u2' });
    expect(await sessions.findByUid('nope')).toBeUndefined();
    const devices = adapterFor('DeviceCode');
    const userCode = id('UC');
    await devices.upsert(id('device'), { userCode, accountId: 'u2' }, 600);
    expect(await devices.findByUserCode(userCode)).toMatchObject({ userCode });
  });

  it('consume marks once; a second consumption is a reuse that ends the grant', async () => {
    const codes = adapterFor('AuthorizationCode');
    const tokens = adapterFor('AccessToken');
    const grants = adapterFor('Grant');
    const grantId = id('grant');
    const code = id('code');
    const token = id('at');
    await grants.upsert(grantId, { accountId: 'u3', clientId: 'c' }, 600);
    await codes.upsert(code, { grantId, accountId: 'u3' }, 60);
    await tokens.upsert(token, { grantId, accountId: 'u3' }, 60);
    await codes.consume(code);
    expect((await codes.find(code))?.consumed).toEqual(expect.any(Number));
    await expect(codes.consume(code)).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await tokens.find(token)).toBeUndefined();
    expect(await grants.find(grantId)).toBeUndefined();
  });

  it('of 10 concurrent consumptions exactly one wins', async () => {
    const refresh = adapterFor('RefreshToken');
    const token = id('rt');
    await refresh.upsert(token, { grantId: id('grant'), accountId: 'u4' }, 600);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => refresh.consume(token)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const lost of outcomes.filter((o) => o.status === 'rejected'))
      expect(lost.reason).toBeInstanceOf(errors.InvalidGrant);
  });

  it('destroy and revokeByGrantId remove only what they name', async () => {
    const tokens = adapterFor('AccessToken');
    const refresh = adapterFor('RefreshToken');
    const grantId = id('grant');
    const [a, b, other] = [id('at'), id('at'), id('at')];
    await tokens.upsert(a, { grantId, accountId: 'u5' }, 60);
    await tokens.upsert(b, { grantId, accountId: 'u5' }, 60);
    await tokens.upsert(other, { grantId: id('grant'), accountId: 'u5' }, 60);
    const rt = id('rt');
    await refresh.upsert(rt, { grantId, accountId: 'u5' }, 60);
    await tokens.destroy(a);
    expect(await tokens.find(a)).toBeUndefined();
    await tokens.revokeByGrantId(grantId);
    expect(await tokens.find(b)).toBeUndefined();
    expect(await tokens.find(other)).toBeDefined();
    // Per model: the refresh token of the grant is the RefreshToken adapter's to revoke.
    expect(await refresh.find(rt)).toBeDefined();
  });
});

describe('client adapter', () => {
  it('reads clients registered by Gatehouse, with the secret as a hash only', async () => {
    const created = await createClient(server.core, {
      name: 'Contract App',
      redirectUris: ['https://app.example/cb'],
    });
    const found = await adapterFor('Client').find(created.client_id);
    expect(found).toMatchObject({
      client_id: created.client_id,
      client_name: 'Contract App',
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(found?.client_secret).toBeDefined();
    expect(found?.client_secret).not.toBe(created.client_secret);
    expect(JSON.stringify(found)).not.toContain(String(created.client_secret));
    expect(await adapterFor('Client').find('client_unknown')).toBeUndefined();
  });

  it('refuses to let the provider write clients', async () => {
    await expect(adapterFor('Client').upsert('x', {})).rejects.toThrow(/managed by Gatehouse/);
  });
});
