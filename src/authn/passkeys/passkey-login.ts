import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import { findPasskeyByCredentialId } from '../../store/repositories/passkeys.js';
import { findUserById, type User, withoutSecret } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import type { FirstFactor } from '../login/flow.js';
import type { RequestMeta } from '../meta.js';
import { verifyAssertion } from './assertion.js';
import type { RelyingParty } from './relying-party.js';
import type { AuthenticationResponseJSON } from './response-schemas.js';

const refused = () => new AuthError('invalid_credentials', 'The passkey could not be verified.');

/** The user handle we registered is the user id; an answer naming someone else is not theirs. */
const handleNames = (userHandle: string | undefined, userId: string) =>
  userHandle === undefined || Buffer.from(userHandle, 'base64url').toString('utf8') === userId;

/**
 * Sign-in with a passkey alone: the credential names the user. Returns the
 * user and the first factor for `afterFirstFactor`: `hwk` + `user` (aal2)
 * when the authenticator verified the user, `hwk` alone otherwise.
 */
export async function verifyPasskeyLogin(
  core: Core,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  meta: RequestMeta,
): Promise<{ user: User; first: FirstFactor }> {
  const db = core.store.db;
  const fail = async (userId: string | null, reason: string) => {
    await audit(
      core,
      { type: 'login', outcome: 'failure', userId, detail: { method: 'passkey', reason } },
      meta,
    );
    return refused();
  };
  const passkey = await findPasskeyByCredentialId(db, response.id);
  if (!passkey) throw await fail(null, 'unknown_passkey');
  if (!handleNames(response.response.userHandle, passkey.userId))
    throw await fail(passkey.userId, 'user_handle_mismatch');
  const binding = { purpose: 'login' as const, userId: null, loginChallengeId: null };
  const verified = await verifyAssertion(core, rp, response, passkey, binding, meta);
  if (!verified) throw await fail(passkey.userId, 'invalid_assertion');
  const found = await findUserById(db, passkey.userId);
  if (!found) throw refused();
  if (found.bannedAt !== null) {
    await fail(found.id, 'banned');
    throw new AuthError('account_banned', 'This account is suspended.');
  }
  const amr = verified.userVerified ? ['hwk', 'user'] : ['hwk'];
  return { user: withoutSecret(found), first: { amr } };
}
