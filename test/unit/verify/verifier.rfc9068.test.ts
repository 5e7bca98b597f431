import {
  createRevocationSet,
  createVerifier,
  type RevocationSubject,
  type VerifierOptions,
  VerifyError,
} from '@gatehouse/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  type JwksServer,
  makeKey,
  mint,
  NOW_MILLISECONDS,
  startJwksServer,
  type TestKey,
} from './helpers.js';

/** What the OpenID Provider issues for the client credentials grant: the client is the subject. */
const machine = {
  sub: 'client-a',
  client_id: 'client-a',
  sid: undefined,
  roles: undefined,
  scope: 'orders:read',
};
/** What it issues for a user through a client: Gatehouse's session id rides along. */
const userViaClient = { sub: 'user-1', client_id: 'app-1', sid: 'session-1' };

async function rejection(promise: Promise<unknown>): Promise<VerifyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return error as VerifyError;
}

let ed: TestKey;
let rsa: TestKey;
let server: JwksServer;
beforeAll(async () => {
  [ed, rsa] = await Promise.all([makeKey('EdDSA'), makeKey('RS256')]);
  server = await startJwksServer([ed.publicJwk, rsa.publicJwk]);
});
afterAll(() => server.close());

const verifierWith = (options: Partial<VerifierOptions> = {}) =>
  createVerifier({
    issuer: 'https://gatehouse.test',
    audience: AUDIENCE,
    jwksUrl: server.url,
    now: () => NOW_MILLISECONDS,
    cache: { maxEntries: 0 },
    ...options,
  } as VerifierOptions);

describe('RFC 9068 access tokens of the OpenID Provider', () => {
  it('accepts a machine token (client credentials): clientId set, isMachine, no session', async () => {
    const verified = await verifierWith().verify(await mint(ed, machine));
    expect(verified).toMatchObject({
      sub: 'client-a',
      clientId: 'client-a',
      isMachine: true,
      sid: undefined,
      roles: [],
      scope: ['orders:read'],
    });
  });

  it('accepts a user token issued to a client: clientId set, not a machine, its session kept', async () => {
    const verified = await verifierWith().verify(await mint(ed, userViaClient));
    expect(verified).toMatchObject({
      sub: 'user-1',
      clientId: 'app-1',
      isMachine: false,
      sid: 'session-1',
    });
  });

  it('a first-party token has no clientId and is not a machine', async () => {
    const verified = await verifierWith().verify(await mint(ed));
    expect(verified).toMatchObject({ clientId: undefined, isMachine: false, sid: 'session-1' });
  });

  it('refuses a user-shaped token without sid, with or without client_id', async () => {
    for (const overrides of [
      { ...userViaClient, sid: undefined },
      { sid: undefined },
      // A client_id that is not its subject does not make a token a machine's.
      { sub: 'user-1', client_id: 'user-1 ', sid: undefined },
    ]) {
      const error = await rejection(verifierWith().verify(await mint(ed, overrides)));
      expect(error).toMatchObject({ code: 'invalid_token', reason: 'sid_invalid', claim: 'sid' });
    }
  });

  it('refuses a client_id that is not a non-empty string', async () => {
    for (const client_id of [7, '', ['client-a']]) {
      const error = await rejection(
        verifierWith().verify(await mint(ed, { ...machine, client_id })),
      );
      expect(error).toMatchObject({ code: 'invalid_token', reason: 'client_id_invalid' });
    }
  });

  it('keeps typ strict: at+jwt (or application/at+jwt), never JWT or none', async () => {
    const verifier = verifierWith();
    await expect(
      verifier.verify(await mint(ed, machine, { typ: 'application/at+jwt' })),
    ).resolves.toMatchObject({ isMachine: true });
    for (const typ of ['JWT', 'jwt', undefined]) {
      const error = await rejection(verifier.verify(await mint(ed, machine, { typ })));
      expect(error).toMatchObject({ code: 'invalid_token', reason: 'typ_check_failed' });
    }
  });

  it('revocation: a machine token skips the session check, a ban of its subject still applies', async () => {
    const set = createRevocationSet({ now: () => NOW_MILLISECONDS });
    set.revokeSession('session-1', NOW_MILLISECONDS / 1000 + 600);
    const seen: RevocationSubject[] = [];
    const verifier = verifierWith({
      revocation: {
        isRevoked(subject) {
          seen.push(subject);
          return set.isRevoked(subject);
        },
      },
    });
    await expect(verifier.verify(await mint(ed, machine))).resolves.toBeDefined();
    expect(seen.at(-1)?.sid).toBeUndefined();
    // The user's token through a client dies with the user's Gatehouse session.
    await expect(verifier.verify(await mint(ed, userViaClient))).rejects.toMatchObject({
      code: 'token_revoked',
    });
    set.banUser('client-a', NOW_MILLISECONDS / 1000, NOW_MILLISECONDS / 1000 + 600);
    await expect(verifier.verify(await mint(ed, machine))).rejects.toMatchObject({
      code: 'token_revoked',
    });
  });

  it('accepts RS256 when the algorithms include it, refuses it by default', async () => {
    const token = await mint(rsa, machine);
    const error = await rejection(verifierWith().verify(token));
    expect(error).toMatchObject({ code: 'invalid_token', reason: 'alg_not_allowed' });
    const verified = await verifierWith({ algorithms: ['EdDSA', 'RS256'] }).verify(token);
    expect(verified).toMatchObject({ isMachine: true, clientId: 'client-a' });
    // ...and the EdDSA key keeps working beside it.
    await expect(
      verifierWith({ algorithms: ['EdDSA', 'RS256'] }).verify(await mint(ed, machine)),
    ).resolves.toBeDefined();
  });
});
