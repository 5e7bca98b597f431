import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Core } from '../../core.js';
import { sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { findLiveLoginChallenge } from '../../store/repositories/login-challenges.js';
import { listPasskeys } from '../../store/repositories/passkeys.js';
import { deleteChallengesOfLogin } from '../../store/repositories/webauthn-challenges.js';
import { methodsToComplete } from '../mfa/registry.js';
import { assertionOptions } from './assertion.js';
import type { RelyingParty } from './relying-party.js';

/** Sign-in with a passkey alone: any discoverable credential of this site, no user named. */
export const loginOptions = (
  core: Core,
  rp: RelyingParty,
): Promise<PublicKeyCredentialRequestOptionsJSON> =>
  assertionOptions(core, rp, { purpose: 'login', userId: null, loginChallengeId: null }, null);

async function passkeysOf(core: Core, userId: string) {
  const passkeys = await listPasskeys(core.store.db, userId);
  if (passkeys.length === 0) throw new AuthError('invalid_request', 'This account has no passkey.');
  return passkeys;
}

/**
 * A passkey as the second factor: options for the login challenge's user, with
 * the WebAuthn challenge bound to that login challenge. Asking again replaces
 * the previous WebAuthn challenge, so a login challenge holds one at a time.
 */
export async function secondFactorOptions(
  core: Core,
  rp: RelyingParty,
  loginChallenge: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const db = core.store.db;
  const { challengeMaxAttempts } = core.settings.mfa;
  const found = await findLiveLoginChallenge(
    db,
    sha256(loginChallenge),
    core.clock.now(),
    challengeMaxAttempts,
  );
  if (!found)
    throw new AuthError('invalid_challenge', 'The challenge is unknown, expired or already used.');
  // A sign-in that began with a passkey is not completed by one (see methodsToComplete).
  if (!(await methodsToComplete(core, found.userId, found.amr)).includes('webauthn'))
    throw new AuthError('invalid_request', 'This sign-in cannot be completed with a passkey.');
  const passkeys = await passkeysOf(core, found.userId);
  await deleteChallengesOfLogin(db, found.id);
  return assertionOptions(
    core,
    rp,
    { purpose: 'second_factor', userId: found.userId, loginChallengeId: found.id },
    passkeys,
  );
}

/** A signed-in user proving themselves again (POST /auth/reauthenticate with method webauthn). */
export async function reauthenticationOptions(
  core: Core,
  rp: RelyingParty,
  userId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const passkeys = await passkeysOf(core, userId);
  return assertionOptions(
    core,
    rp,
    { purpose: 'reauthenticate', userId, loginChallengeId: null },
    passkeys,
  );
}
