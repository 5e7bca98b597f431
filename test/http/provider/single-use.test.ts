/**
 * Codes and refresh tokens are single-use, and a reuse is treated as a theft
 * (RFC 6749 §4.1.2, RFC 9700 §4.14): the grant ends with everything issued
 * from it, as a reused first-party refresh token ends its session. Spending
 * is atomic in the store, so of many concurrent redemptions one wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOauthError,
  isActive,
  issuedCode,
  redeemCode,
  refresh,
  tokensOf,
  userinfoStatus,
} from '../../helpers/provider-attacks.js';
import { type RelyingParty, relyingParty } from '../../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const PARALLEL = 10;

let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ realClock: true, reachableIssuer: true });
  app = await relyingParty(server);
});
afterAll(() => server.stop());

/** Every token of a grant is dead: introspection, userinfo and refresh all say so. */
async function expectGrantEnded(tokens: { access_token: string; refresh_token: string }) {
  expect(await isActive(server, app, tokens.access_token)).toBe(false);
  expect(await isActive(server, app, tokens.refresh_token)).toBe(false);
  expect(await userinfoStatus(server, tokens.access_token)).toBe(401);
  expectOauthError(await refresh(server, app, tokens.refresh_token), 400, 'invalid_grant');
}

describe('authorization codes', () => {
  it('a reused code: invalid_grant, and the tokens of its first redemption are revoked', async () => {
    const issued = await issuedCode(server, app);
    const first = tokensOf(await redeemCode(server, app, issued));
    // Live before the reuse (so the checks below can tell a revocation from a dud).
    expect(await isActive(server, app, first.access_token)).toBe(true);
    expect(await isActive(server, app, first.refresh_token)).toBe(true);
    expect(await userinfoStatus(server, first.access_token)).toBe(200);

    expectOauthError(await redeemCode(server, app, issued), 400, 'invalid_grant');
    await expectGrantEnded(first);
    // And the code stays spent.
    expectOauthError(await redeemCode(server, app, issued), 400, 'invalid_grant');
  });

  it(`${PARALLEL} parallel redemptions of one fresh code: exactly one succeeds`, async () => {
    const issued = await issuedCode(server, app);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => redeemCode(server, app, issued)),
    );
    const won = answers.filter((answer) => answer.status === 200);
    expect(won, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1);
    for (const lost of answers.filter((answer) => answer.status !== 200))
      expectOauthError(lost, 400, 'invalid_grant');
    const [winner] = won;
    if (!winner) throw new Error('no redemption won');
    // The others were reuses: what the one winner got is revoked too.
    await expectGrantEnded(tokensOf(winner));
  });
});

describe('refresh token rotation', () => {
  it('each refresh rotates; reusing an old one is refused and ends the grant, newest tokens included', async () => {
    const issued = await issuedCode(server, app);
    const first = tokensOf(await redeemCode(server, app, issued));
    const second = tokensOf(await refresh(server, app, first.refresh_token));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = tokensOf(await refresh(server, app, second.refresh_token));
    expect(await userinfoStatus(server, third.access_token)).toBe(200);
    expect(await isActive(server, app, third.refresh_token)).toBe(true);

    expectOauthError(await refresh(server, app, first.refresh_token), 400, 'invalid_grant');
    await expectGrantEnded(third);
    await expectGrantEnded(second);
  });

  it(`${PARALLEL} parallel uses of one refresh token: at most one succeeds, and the grant ends`, async () => {
    const issued = await issuedCode(server, app);
    const first = tokensOf(await redeemCode(server, app, issued));
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => refresh(server, app, first.refresh_token)),
    );
    const won = answers.filter((answer) => answer.status === 200);
    expect(won.length, JSON.stringify(answers.map((a) => a.body))).toBeLessThanOrEqual(1);
    for (const lost of answers.filter((answer) => answer.status !== 200))
      expectOauthError(lost, 400, 'invalid_grant');
    await expectGrantEnded(first);
    for (const answer of won) await expectGrantEnded(tokensOf(answer));
  });
});
