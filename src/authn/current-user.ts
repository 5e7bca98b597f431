import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import { findUserById, type User, withoutSecret } from '../store/repositories/users.js';

/** The account a session principal was resolved with, so the request does not read it twice. */
const resolvedWith = new WeakMap<Principal, User>();

export function rememberAccount(principal: Principal, user: User): Principal {
  resolvedWith.set(principal, user);
  return principal;
}

/**
 * The caller's account, without its password hash: the one session resolution
 * already loaded, else read once (access tokens and keys carry only the id).
 */
export async function currentUser(core: Core, principal: Principal): Promise<User> {
  const known = resolvedWith.get(principal);
  if (known) return known;
  const user = await findUserById(core.store.db, principal.userId);
  if (!user) throw new AuthError('unauthenticated', 'The account no longer exists.');
  return withoutSecret(user);
}
