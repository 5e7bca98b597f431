import { secondFactors } from '../../src/authn/mfa/registry.js';
import type { SecondFactor } from '../../src/authn/mfa/second-factor.js';

/** The one code the fake factor accepts. */
export const FAKE_CODE = '246810';

/**
 * A stand-in second factor for tests of what is built *on* the registry
 * (re-authentication, required MFA) before the real factors exist: it answers
 * as `totp`, is enrolled for the users a test names, and accepts FAKE_CODE.
 * It goes first in the registry of this test file's module graph (vitest
 * isolates files), so it shadows a real `totp` factor. Tests of the real
 * factors replace it.
 */
export function installFakeTotp(): { enrol(userId: string): void } {
  const enrolled = new Set<string>();
  const fake: SecondFactor = {
    method: 'totp',
    isEnrolled: async (_core, userId) => enrolled.has(userId),
    list: async () => [],
    verify: async (_core, user, proof) =>
      enrolled.has(user.id) && proof.code === FAKE_CODE ? ['otp'] : null,
  };
  (secondFactors as SecondFactor[]).unshift(fake);
  return { enrol: (userId) => enrolled.add(userId) };
}
