import {
  findPasskeyByCredentialId,
  hasPasskey,
  listPasskeys,
} from '../../store/repositories/passkeys.js';
import type { ChallengeBinding } from '../../store/repositories/webauthn-challenges.js';
import { verifyAssertion } from '../passkeys/assertion.js';
import { relyingPartyOf } from '../passkeys/relying-party.js';
import { parseAssertion } from '../passkeys/response-schemas.js';
import type { SecondFactor } from './second-factor.js';

/**
 * A passkey as the second factor, or to re-authenticate a session. The
 * assertion must answer a WebAuthn challenge bound to the login challenge
 * (POST /auth/mfa/webauthn/options) or, without one, to the signed-in user
 * (POST /auth/passkeys/reauthenticate/options), with one of the user's passkeys.
 */
export const webauthnFactor: SecondFactor = {
  method: 'webauthn',
  isEnrolled: (core, userId) => hasPasskey(core.store.db, userId),
  list: async (core, userId) =>
    (await listPasskeys(core.store.db, userId)).map((passkey) => ({
      id: passkey.id,
      method: 'webauthn',
      name: passkey.name,
      createdAt: passkey.createdAt,
      lastUsedAt: passkey.lastUsedAt,
    })),
  async verify(core, user, proof, context) {
    const response = parseAssertion(proof.assertion);
    const rp = relyingPartyOf(core.settings);
    if (!rp) return null;
    const passkey = await findPasskeyByCredentialId(core.store.db, response.id, user.id);
    if (!passkey) return null;
    const binding: ChallengeBinding = context.challengeId
      ? { purpose: 'second_factor', userId: user.id, loginChallengeId: context.challengeId }
      : { purpose: 'reauthenticate', userId: user.id, loginChallengeId: null };
    const verified = await verifyAssertion(core, rp, response, passkey, binding, context.meta);
    if (!verified) return null;
    return verified.userVerified ? ['hwk', 'user'] : ['hwk'];
  },
};
