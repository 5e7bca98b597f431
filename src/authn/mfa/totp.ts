import { Secret, TOTP } from 'otpauth';

/**
 * The TOTP arithmetic, all of it done by `otpauth` (RFC 6238 over RFC 4226
 * HOTP): a 30 s step, ±1 step of clock skew, SHA-1 and 6 digits unless a
 * factor was created with other parameters (they are stored per factor).
 */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParameters {
  algorithm: TotpAlgorithm;
  digits: number;
  periodSeconds: number;
}

export const TOTP_DEFAULTS: TotpParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 };
/** Steps of skew either side of now. */
const TOTP_WINDOW_STEPS = 1;
/** RFC 4226 §4 asks for at least 128 bits and recommends 160. */
const SECRET_BYTES = 20;

const totpOf = (secretBase32: string, parameters: TotpParameters, label = '', issuer = '') =>
  new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: parameters.algorithm,
    digits: parameters.digits,
    period: parameters.periodSeconds,
  });

/** A fresh random secret, base32 (what authenticator apps take). */
export const newTotpSecret = (): string => new Secret({ size: SECRET_BYTES }).base32;

/** The `otpauth://totp/...` URI an authenticator app scans. */
export const totpUri = (
  secretBase32: string,
  parameters: TotpParameters,
  account: { issuer: string; label: string },
): string => totpOf(secretBase32, parameters, account.label, account.issuer).toString();

/** The code at `timestampMs` (tests and the RFC vectors). */
export const totpCode = (
  secretBase32: string,
  parameters: TotpParameters,
  timestampMs: number,
): string => totpOf(secretBase32, parameters).generate({ timestamp: timestampMs });

/**
 * The time step a code belongs to when it is right at `nowMs` (within the
 * window), else null. The caller refuses a step it has already accepted.
 */
export function totpStepOf(
  secretBase32: string,
  parameters: TotpParameters,
  code: string,
  nowMs: number,
): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d+$/.test(token)) return null;
  const totp = totpOf(secretBase32, parameters);
  const delta = totp.validate({ token, timestamp: nowMs, window: TOTP_WINDOW_STEPS });
  return delta === null ? null : totp.counter({ timestamp: nowMs }) + delta;
}
