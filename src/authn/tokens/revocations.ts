import type { Core } from '../../core.js';
import {
  type GrantHolder,
  liveGrantHolders,
  takeGrantsOfSessions,
  unbindGrantsOfUser,
} from '../../store/repositories/oauth-grant-sessions.js';
import {
  destroyOauthGrants,
  destroyOauthPayloadsOfAccount,
} from '../../store/repositories/oauth-payloads.js';
import {
  insertRevocations,
  type NewRevocation,
  type Revocation,
} from '../../store/repositories/revocations.js';
import type { Db } from '../../store/schema.js';
import { grantsEnded } from './ended-grants.js';

/** Room for clock skew between instances and resource servers. */
const SKEW_SECONDS = 30;

/**
 * Records revocations inside the transaction that makes the change, so they
 * commit or roll back with it. Nothing is applied or published from here.
 */
export interface Revoker {
  /** The transaction: make the change itself through it. */
  readonly db: Db;
  sessions(ids: readonly string[]): Promise<void>;
  /** Every access token of the user issued until now (a ban). */
  userCutOff(userId: string): Promise<void>;
  /** Every access token carrying roles older than `rolesVersion`. */
  rolesChanged(userId: string, rolesVersion: number): Promise<void>;
  apiKeys(ids: readonly string[]): Promise<void>;
}

/**
 * The one way a state change revokes: `work` runs in a transaction with a
 * Revoker; only once it has committed does this instance apply the
 * revocations and publish them (a publish failure never undoes the commit, and
 * a rollback leaves nothing applied anywhere).
 */
export async function withRevocations<T>(
  core: Core,
  work: (revoke: Revoker) => Promise<T>,
): Promise<T> {
  const written: Revocation[] = [];
  const ended: GrantHolder[] = [];
  const result = await core.store.db
    .transaction()
    .execute((trx) => work(revoker(core, trx, written, ended)));
  await core.revocations.committed(written);
  grantsEnded(core, ended);
  return result;
}

function revoker(core: Core, db: Db, written: Revocation[], ended: GrantHolder[]): Revoker {
  const record = async (entries: Array<Omit<NewRevocation, 'cutoffAt' | 'untilAt'>>) => {
    const now = core.clock.now();
    // No access token (nor cached API key) issued before `now` outlives this.
    const untilAt = now + (core.settings.tokens.accessTokenLifetimeSeconds + SKEW_SECONDS) * 1000;
    const rows = entries.map((entry) => ({ ...entry, cutoffAt: now, untilAt }));
    written.push(...(await insertRevocations(db, rows)));
  };
  const of = (
    kind: NewRevocation['kind'],
    subject: string,
    rolesVersion: number | null = null,
  ) => ({
    kind,
    subject,
    rolesVersion,
  });
  return {
    db,
    sessions: async (ids) => {
      await record(ids.map((id) => of('session', id)));
      // What the OpenID Provider gave other apps under these sessions ends with them.
      ended.push(...(await liveGrantHolders(db, { sessionIds: ids })));
      await destroyOauthGrants(db, await takeGrantsOfSessions(db, ids));
    },
    userCutOff: async (userId) => {
      await record([of('user', userId)]);
      ended.push(...(await liveGrantHolders(db, { userId })));
      await destroyOauthPayloadsOfAccount(db, userId);
      await unbindGrantsOfUser(db, userId);
    },
    rolesChanged: (userId, rolesVersion) => record([of('roles', userId, rolesVersion)]),
    apiKeys: (ids) => record(ids.map((id) => of('api_key', id))),
  };
}
