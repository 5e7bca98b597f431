import type { Account, AccountClaims, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { Core } from '../core.js';
import { sessionOfGrant } from '../store/repositories/oauth-grant-sessions.js';
import { findLiveSessionById, touchSession } from '../store/repositories/sessions.js';
import { findUserById, type UserWithSecret } from '../store/repositories/users.js';

/**
 * The claims each scope releases (userinfo, and the ID token where the
 * request asks for them). `openid` also lets the ID token say how and when
 * the user signed in: `acr`, `amr`, `auth_time` come from the sign-in.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  roles: ['roles'],
} as const;

/** The name an account shows relying parties: the `name` attribute, when it is a non-empty string. */
const nameOf = (user: UserWithSecret): string | undefined => {
  const name = user.attributes.name;
  return typeof name === 'string' && name.trim() !== '' ? name : undefined;
};

function accountOf(user: UserWithSecret): Account {
  return {
    accountId: user.id,
    claims: (): AccountClaims => ({
      sub: user.id,
      email: user.email,
      email_verified: user.emailVerified,
      ...(nameOf(user) === undefined ? {} : { name: nameOf(user) }),
      roles: user.roles,
    }),
  };
}

/**
 * The provider's account lookup. A banned, deleted or service account is no
 * account: its codes and refresh tokens stop working (`invalid_grant`). A
 * token is also dead once the Gatehouse session its grant was given under
 * has ended (logout, ban, revocation): that ending deletes the grant too, in
 * the same transaction, so this is the second line, not the first.
 */
export function findAccountIn(core: Core): FindAccount {
  return async (_ctx: KoaContextWithOIDC, sub, token) => {
    // A refresh is the relying party using the session, as a first-party refresh is.
    const touch = token?.kind === 'RefreshToken';
    const user = await usableUser(core, sub, token?.grantId, touch);
    return user ? accountOf(user) : undefined;
  };
}

/**
 * The user behind a token while the token may still speak for them: not
 * banned, deleted or a service account, and (for a token of a grant) the
 * Gatehouse session the grant was given under still live.
 */
export async function usableUser(
  core: Core,
  sub: string,
  grantId: string | undefined,
  touch = false,
): Promise<UserWithSecret | undefined> {
  const user = await findUserById(core.store.db, sub);
  if (!user || user.bannedAt !== null || user.isService) return undefined;
  if (grantId !== undefined && !(await grantSessionLive(core, grantId, sub, touch)))
    return undefined;
  return user;
}

async function grantSessionLive(
  core: Core,
  grantId: string,
  userId: string,
  touch: boolean,
): Promise<boolean> {
  const { db } = core.store;
  const sessionId = await sessionOfGrant(db, grantId);
  if (sessionId === undefined) return false;
  const now = core.clock.now();
  const session = await findLiveSessionById(db, sessionId, now);
  if (session === null || session.userId !== userId) return false;
  if (touch) await touchSession(db, session, now, core.settings.session.idleTimeoutSeconds * 1000);
  return true;
}
