import { randomUUID } from 'node:crypto';
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import {
  insertPasskey,
  listPasskeys,
  type NewPasskey,
  type Passkey,
} from '../../store/repositories/passkeys.js';
import type { ChallengeBinding } from '../../store/repositories/webauthn-challenges.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import type { RequestMeta } from '../meta.js';
import { recordFactorChange } from '../mfa/factor-changes.js';
import { newChallenge, storeChallenge, verifyCeremony } from './ceremony.js';
import type { RelyingParty } from './relying-party.js';
import type { RegistrationResponseJSON } from './response-schemas.js';

interface Owner {
  id: string;
  email: string;
}

const bindingOf = (user: Owner): ChallengeBinding => ({
  purpose: 'register',
  userId: user.id,
  loginChallengeId: null,
});

/**
 * Options for navigator.credentials.create: a discoverable credential (so it
 * can sign in without an email typed), user verification preferred, the
 * user's passkeys excluded. The user handle is the user id (no personal data).
 */
export async function registrationOptions(
  core: Core,
  rp: RelyingParty,
  user: Owner,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await listPasskeys(core.store.db, user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: new TextEncoder().encode(user.id),
    challenge: newChallenge(),
    timeout: rp.challengeLifetimeSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  await storeChallenge(core, rp, options.challenge, bindingOf(user));
  return options;
}

/** Verifies the authenticator's answer and keeps the credential: 400 when it does not verify, 409 when it is known. */
export async function registerPasskey(
  core: Core,
  rp: RelyingParty,
  user: Owner,
  input: { response: RegistrationResponseJSON; name?: string | undefined },
  meta: RequestMeta,
): Promise<Passkey> {
  const result = await verifyCeremony(core, bindingOf(user), (expectedChallenge) =>
    verifyRegistrationResponse({
      response: input.response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      // A security key without a PIN may register; it signs in at aal1 and leaves the second factor due.
      requireUserVerification: false,
    }),
  );
  if (!result?.verified)
    throw new AuthError('invalid_request', 'The passkey response could not be verified.');
  const { credential, credentialDeviceType, credentialBackedUp } = result.registrationInfo;
  const passkey: NewPasskey = {
    id: randomUUID(),
    userId: user.id,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: credential.transports ?? input.response.response.transports ?? [],
    backupEligible: credentialDeviceType === 'multiDevice',
    backedUp: credentialBackedUp,
    name: input.name ?? 'Passkey',
    createdAt: core.clock.now(),
  };
  try {
    await core.store.db.transaction().execute(async (trx) => {
      await insertPasskey(trx, passkey);
      await recordFactorChange(
        core,
        user,
        { type: 'factor_added', method: 'webauthn', factorId: passkey.id },
        meta,
        trx,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AuthError('conflict', 'This passkey is registered already.');
    throw error;
  }
  return { ...passkey, lastUsedAt: null };
}
