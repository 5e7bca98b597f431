import { type Adapter, type AdapterFactory, type AdapterPayload, errors } from 'oidc-provider';
import type { Clock } from '../clock.js';
import { findOauthClient } from '../store/repositories/oauth-clients.js';
import {
  consumeOauthPayload,
  destroyOauthGrants,
  destroyOauthPayload,
  destroyOauthPayloadsOfGrant,
  findOauthPayload,
  upsertOauthPayload,
} from '../store/repositories/oauth-payloads.js';
import type { Db } from '../store/schema.js';
import { clientMetadataOf } from './client-metadata.js';

/**
 * oidc-provider's storage on Gatehouse's store (SQLite or PostgreSQL), so
 * every instance sees the same codes, grants and sessions. `Client` reads the
 * clients table; every other model is a row of `oauth_payloads`.
 */
export function createStoreAdapter(db: Db, clock: Clock): AdapterFactory {
  return (model: string): Adapter =>
    model === 'Client' ? clientAdapter(db) : payloadAdapter(db, clock, model);
}

function payloadAdapter(db: Db, clock: Clock, model: string): Adapter {
  const read = async (by: { id: string } | { uid: string } | { user_code: string }) => {
    const row = await findOauthPayload(db, model, by, clock.now());
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      await upsertOauthPayload(db, {
        model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        account_id: payload.accountId ?? payload.session?.accountId ?? null,
        expires_at: expiresIn === undefined ? null : clock.now() + expiresIn * 1000,
      });
    },
    find: (id) => read({ id }),
    findByUid: (uid) => read({ uid }),
    findByUserCode: (userCode) => read({ user_code: userCode }),
    async consume(id) {
      if (await consumeOauthPayload(db, model, id, clock.now())) return;
      // Spent by a concurrent request between this one's read and its write:
      // a reuse like any other, so the grant and everything issued from it end.
      const row = await findOauthPayload(db, model, { id }, clock.now());
      if (row?.grant_id) await destroyOauthGrants(db, [row.grant_id]);
      throw new errors.InvalidGrant(`${model} already consumed`);
    },
    destroy: (id) => destroyOauthPayload(db, model, id),
    revokeByGrantId: (grantId) => destroyOauthPayloadsOfGrant(db, model, grantId),
  };
}

/** Clients are managed by Gatehouse (CLI, console), never by the provider: it only reads them. */
function clientAdapter(db: Db): Adapter {
  const readOnly = () =>
    Promise.reject(new Error('clients are managed by Gatehouse, not the provider'));
  return {
    async find(id) {
      const row = await findOauthClient(db, id);
      return row ? clientMetadataOf(row) : undefined;
    },
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => undefined,
  };
}
