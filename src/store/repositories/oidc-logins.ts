import type { Db, OidcLoginsTable } from '../schema.js';

export interface OidcLogin {
  id: string;
  provider: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
  intent: OidcLoginsTable['intent'];
  linkUserId: string | null;
}

export async function insertOidcLogin(
  db: Db,
  input: OidcLogin & { stateHash: string; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('oidc_logins')
    .values({
      id: input.id,
      state_hash: input.stateHash,
      provider: input.provider,
      nonce: input.nonce,
      code_verifier: input.codeVerifier,
      return_to: input.returnTo,
      intent: input.intent,
      link_user_id: input.linkUserId,
      created_at: input.now,
      expires_at: input.expiresAt,
      used_at: null,
    })
    .execute();
}

/**
 * Uses up the started sign-in that `state` names, for this provider: one
 * UPDATE, so of parallel callbacks with one state exactly one gets it.
 */
export async function consumeOidcLogin(
  db: Db,
  stateHash: string,
  provider: string,
  now: number,
): Promise<OidcLogin | null> {
  const row = await db
    .updateTable('oidc_logins')
    .set({ used_at: now })
    .where('state_hash', '=', stateHash)
    .where('provider', '=', provider)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    provider: row.provider,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    intent: row.intent,
    linkUserId: row.link_user_id,
  };
}
