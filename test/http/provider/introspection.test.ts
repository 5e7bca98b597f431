/**
 * Token introspection (RFC 7662) and revocation (RFC 7009) at the OpenID
 * Provider, with openid-client. Opaque tokens only: oidc-provider answers
 * `unsupported_token_type` for its JWT access tokens, which resource servers
 * verify themselves (gatehouse/verify, see resource-server.test.ts).
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  API_SCOPES,
  machineParty,
  newUserSignsIn,
  oauthErrorOf,
  type RelyingParty,
  relyingParty,
} from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
/** A resource server: a confidential client of its own. */
let resourceServer: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({
    realClock: true,
    reachableIssuer: true,
    settings: { provider: { resourceServers: [{ audience: API, scopes: API_SCOPES }] } },
  });
  resourceServer = await machineParty(server);
});
afterAll(() => server.stop());

/** A user signs in to `rp` in a browser; the app gets opaque tokens (no resource). */
async function tokensOf(rp: RelyingParty) {
  const { user, tokens } = await newUserSignsIn(server, rp);
  if (!tokens.refresh_token) throw new Error('the app got no refresh token');
  return { userId: user.id, access: tokens.access_token, refresh: tokens.refresh_token };
}

const isActive = async (rp: RelyingParty, token: string) =>
  (await oidc.tokenIntrospection(rp.config, token)).active;

describe('introspection', () => {
  it('an active access token: sub, client_id, scope, exp; the refresh token too', async () => {
    const app = await relyingParty(server);
    const { userId, access, refresh } = await tokensOf(app);
    const now = Math.floor(Date.now() / 1000);
    const answer = await oidc.tokenIntrospection(app.config, access);
    expect(answer).toMatchObject({
      active: true,
      sub: userId,
      client_id: app.clientId,
      scope: 'openid email',
      token_type: 'Bearer',
    });
    expect(answer.exp).toBeGreaterThan(now);
    expect(answer.exp).toBeLessThanOrEqual(
      now + server.core.settings.tokens.accessTokenLifetimeSeconds + 5,
    );
    await expect(oidc.tokenIntrospection(app.config, refresh)).resolves.toMatchObject({
      active: true,
      sub: userId,
      client_id: app.clientId,
    });
  });

  it('a token whose Gatehouse session idled out is inactive, as userinfo and refresh already refuse it', async () => {
    const app = await relyingParty(server);
    const { access, refresh } = await tokensOf(app);
    expect(await isActive(resourceServer, access)).toBe(true);
    // Gatehouse's clock past the idle timeout; the provider's own (Date.now) does not move.
    server.clock.advance((server.core.settings.session.idleTimeoutSeconds + 1) * 1000);
    try {
      expect(await isActive(resourceServer, access)).toBe(false);
      expect(await isActive(resourceServer, refresh)).toBe(false);
    } finally {
      server.clock.set(Date.now());
    }
  });

  it('an unknown token is inactive', async () => {
    expect(await isActive(resourceServer, 'no-such-token-anywhere')).toBe(false);
  });

  it('a confidential client (a resource server) may introspect tokens issued to others', async () => {
    const app = await relyingParty(server);
    const { userId, access } = await tokensOf(app);
    await expect(oidc.tokenIntrospection(resourceServer.config, access)).resolves.toMatchObject({
      active: true,
      sub: userId,
      client_id: app.clientId,
    });
  });

  it('a public client only its own: another client’s token is inactive to it', async () => {
    const spa = await relyingParty(server, { public: true });
    const own = await tokensOf(spa);
    expect(await isActive(spa, own.access)).toBe(true);
    const other = await tokensOf(await relyingParty(server));
    expect(await isActive(spa, other.access)).toBe(false);
    expect(await isActive(spa, other.refresh)).toBe(false);
    // It is active, for whom may know.
    expect(await isActive(resourceServer, other.access)).toBe(true);
  });
});

describe('revocation', () => {
  it('revoking the access token ends the grant: both tokens inactive, the refresh fails', async () => {
    const app = await relyingParty(server);
    const { access, refresh } = await tokensOf(app);
    await oidc.tokenRevocation(app.config, access);
    expect(await isActive(app, access)).toBe(false);
    expect(await isActive(app, refresh)).toBe(false);
    await expect(oidc.refreshTokenGrant(app.config, refresh).catch(oauthErrorOf)).resolves.toBe(
      'invalid_grant',
    );
  });

  it('revoking the refresh token: inactive, the refresh fails, the access token dies with the grant', async () => {
    const app = await relyingParty(server);
    const { access, refresh } = await tokensOf(app);
    await oidc.tokenRevocation(app.config, refresh, { token_type_hint: 'refresh_token' });
    expect(await isActive(resourceServer, refresh)).toBe(false);
    expect(await isActive(resourceServer, access)).toBe(false);
    await expect(oidc.refreshTokenGrant(app.config, refresh).catch(oauthErrorOf)).resolves.toBe(
      'invalid_grant',
    );
  });

  it('a refresh still works when nothing was revoked (the case above can fail)', async () => {
    const app = await relyingParty(server);
    const { refresh } = await tokensOf(app);
    const next = await oidc.refreshTokenGrant(app.config, refresh);
    expect(next.access_token).toEqual(expect.any(String));
  });

  it('only the client a token was issued to may revoke it', async () => {
    const app = await relyingParty(server);
    const { access, refresh } = await tokensOf(app);
    // A confidential client is told no.
    await expect(
      oidc.tokenRevocation(resourceServer.config, refresh).catch(oauthErrorOf),
    ).resolves.toBe('invalid_request');
    // A public one is answered as for an unknown token, and changes nothing.
    const spa = await relyingParty(server, { public: true });
    await expect(oidc.tokenRevocation(spa.config, access)).resolves.toBeUndefined();
    expect(await isActive(app, access)).toBe(true);
    expect(await isActive(app, refresh)).toBe(true);
  });

  it('a machine’s opaque token, revoked, is inactive', async () => {
    const machine = await machineParty(server);
    const { access_token } = await oidc.clientCredentialsGrant(machine.config, {
      scope: 'posts:read',
    });
    expect(await isActive(resourceServer, access_token)).toBe(true);
    await oidc.tokenRevocation(machine.config, access_token);
    expect(await isActive(resourceServer, access_token)).toBe(false);
  });

  it('a JWT access token can be neither introspected nor revoked here: unsupported_token_type', async () => {
    const machine = await machineParty(server);
    const { access_token } = await oidc.clientCredentialsGrant(machine.config, {
      scope: 'posts:read',
      resource: API,
    });
    await expect(
      oidc.tokenIntrospection(resourceServer.config, access_token).catch(oauthErrorOf),
    ).resolves.toBe('unsupported_token_type');
    await expect(
      oidc.tokenRevocation(machine.config, access_token).catch(oauthErrorOf),
    ).resolves.toBe('unsupported_token_type');
  });
});
