import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import type { Core } from '../../core.js';
import { type Passkey, recordPasskeyUse } from '../../store/repositories/passkeys.js';
import type { ChallengeBinding } from '../../store/repositories/webauthn-challenges.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { newChallenge, storeChallenge, verifyCeremony } from './ceremony.js';
import type { RelyingParty } from './relying-party.js';
import type { AuthenticationResponseJSON } from './response-schemas.js';

/**
 * Options for navigator.credentials.get. Without `passkeys` the browser offers
 * any discoverable credential of this site (sign-in without an email); with
 * them, only those (a known user: second factor, re-authentication).
 */
export async function assertionOptions(
  core: Core,
  rp: RelyingParty,
  binding: ChallengeBinding,
  passkeys: readonly Passkey[] | null,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: newChallenge(),
    timeout: rp.challengeLifetimeSeconds * 1000,
    userVerification: 'preferred',
    ...(passkeys
      ? {
          allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
        }
      : {}),
  });
  await storeChallenge(core, rp, options.challenge, binding);
  return options;
}

export interface VerifiedAssertion {
  /** The authenticator verified the user (PIN, biometrics): the passkey alone is multi-factor. */
  userVerified: boolean;
}

/**
 * Checks an assertion of `passkey` against a stored challenge bound as
 * `binding` says. Null when it does not verify, or when the signature counter
 * went backwards (a cloned authenticator: refused and audited).
 */
export async function verifyAssertion(
  core: Core,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  passkey: Passkey,
  binding: ChallengeBinding,
  meta: RequestMeta,
): Promise<VerifiedAssertion | null> {
  const result = await verifyCeremony(core, binding, (expectedChallenge) =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        // The counter is checked below, after the signature and atomically with its update.
        counter: 0,
        transports: passkey.transports as AuthenticatorTransportLike[],
      },
      requireUserVerification: false,
    }),
  );
  if (!result?.verified) return null;
  const { newCounter, credentialBackedUp, userVerified } = result.authenticationInfo;
  const moved = await recordPasskeyUse(core.store.db, passkey.id, {
    counter: newCounter,
    backedUp: credentialBackedUp,
    now: core.clock.now(),
  });
  if (!moved) {
    await audit(
      core,
      {
        type: 'passkey_counter_regression',
        outcome: 'failure',
        userId: passkey.userId,
        detail: { passkeyId: passkey.id, storedCounter: passkey.counter, counter: newCounter },
      },
      meta,
    );
    return null;
  }
  return { userVerified };
}

type AuthenticatorTransportLike = NonNullable<
  Parameters<typeof verifyAuthenticationResponse>[0]['credential']['transports']
>[number];
