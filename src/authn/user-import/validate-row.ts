import { randomUUID } from 'node:crypto';
import { Secret } from 'otpauth';
import { z } from 'zod';
import type { Core } from '../../core.js';
import { isSupportedPasswordHash } from '../../crypto/password-hash.js';
import { seal } from '../../crypto/secret-box.js';
import type { ImportedUserRecord } from '../../store/repositories/user-import.js';
import { normalizeEmail } from '../meta.js';
import { totpSecretAad } from '../mfa/totp-factor.js';
import type { ImportRow, RowError } from './import-row.js';

/** The rule registration applies at the HTTP boundary (http/schemas.ts emailSchema), after normalizing. */
const emailRule = z.email().max(254);
/** RFC 4226 asks for at least 128 bits; 80 is what many older systems issued, so that is the floor here. */
const MIN_TOTP_SECRET_BYTES = 10;
const MAX_TEXT = 1000;

const fail = (code: RowError['code'], reason: string): { error: RowError } => ({
  error: { code, reason },
});

function checkTotp(totp: NonNullable<ImportRow['totp']>): string | null {
  if (!['SHA1', 'SHA256', 'SHA512'].includes(totp.algorithm))
    return 'algorithm is not SHA1, SHA256 or SHA512';
  if (!Number.isInteger(totp.digits) || totp.digits < 6 || totp.digits > 8)
    return 'digits must be 6 to 8';
  if (!Number.isInteger(totp.periodSeconds) || totp.periodSeconds < 10 || totp.periodSeconds > 300)
    return 'period must be 10 to 300 seconds';
  let bytes: number;
  try {
    bytes = Secret.fromBase32(totp.secret).bytes.length;
  } catch {
    return 'the secret is not base32';
  }
  return bytes < MIN_TOTP_SECRET_BYTES
    ? `the secret is shorter than ${MIN_TOTP_SECRET_BYTES} bytes`
    : null;
}

/**
 * Checks a row as registration would (email, roles the policy defines) and
 * that its hash is one sign-in can verify, then gives it its ids and seals its
 * TOTP secret the way enrolment does. Never quotes the hash or the secret.
 */
export function validateRow(
  core: Core,
  row: ImportRow,
  now: number,
): { record: ImportedUserRecord } | { error: RowError } {
  const email = normalizeEmail(row.email);
  if (!emailRule.safeParse(email).success)
    return fail('invalid_email', 'not a valid email address');
  const unknown = row.roles.find((role) => !core.policy.roles.has(role));
  if (unknown !== undefined)
    return fail(
      'unknown_role',
      `the policy defines no role ${JSON.stringify(unknown.slice(0, 64))}`,
    );
  if (row.passwordHash !== null && !isSupportedPasswordHash(row.passwordHash))
    return fail(
      'unsupported_hash',
      'the password hash is malformed or in a form Gatehouse does not verify',
    );
  if (row.bannedReason !== null && row.bannedReason.length > MAX_TEXT)
    return fail('invalid_row', `bannedReason is longer than ${MAX_TEXT} characters`);
  if (row.createdAt !== null && (!Number.isSafeInteger(row.createdAt) || row.createdAt < 0))
    return fail('invalid_row', 'createdAt is not a valid time');
  if (JSON.stringify(row.attributes).length > 16_384)
    return fail('invalid_attributes', 'attributes are larger than 16 KiB');
  const id = randomUUID();
  let totp: ImportedUserRecord['totp'] = null;
  if (row.totp) {
    const problem = checkTotp(row.totp);
    if (problem) return fail('invalid_totp', problem);
    const factorId = randomUUID();
    totp = {
      id: factorId,
      secretSealed: seal(core.secretKey, row.totp.secret.toUpperCase(), totpSecretAad(factorId)),
      algorithm: row.totp.algorithm,
      digits: row.totp.digits,
      periodSeconds: row.totp.periodSeconds,
    };
  }
  return {
    record: {
      id,
      email,
      emailVerifiedAt: row.emailVerified ? now : null,
      passwordHash: row.passwordHash,
      attributes: row.attributes,
      isService: row.isService,
      bannedAt: row.banned ? now : null,
      bannedReason: row.banned ? row.bannedReason : null,
      createdAt: row.createdAt ?? now,
      roles: [...new Set(row.roles)],
      totp,
    },
  };
}
