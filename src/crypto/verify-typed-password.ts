import { isGatehouseHash, verifyPassword } from './password-hash.js';
import { normalizePassword } from './password-policy.js';

/**
 * Checks a password as the person typed it. Gatehouse hashes and verifies
 * its NFKC form; a hash imported from another system was computed over the
 * password as typed there, so when NFKC changed the password (a full-width
 * letter, a ligature) and the normalized check failed, an imported hash is
 * checked against the typed form too, in a hash slot of its own like the
 * first. Gatehouse's own argon2id is never checked twice: that would double
 * the cost of a wrong password for every account.
 */
export async function verifyTypedPassword(encoded: string, typed: string): Promise<boolean> {
  const normalized = normalizePassword(typed);
  if (await verifyPassword(encoded, normalized)) return true;
  if (normalized === typed || isGatehouseHash(encoded)) return false;
  return verifyPassword(encoded, typed);
}
