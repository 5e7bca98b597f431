import { errors } from 'jose';
import { once, type VerifierLogger } from './logger.js';

/** At most this much of a presented value is shown. */
const SHOWN_CHARACTERS = 200;

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
};

/**
 * Says once per distinct reason why a signed token's `iss` or `aud` was
 * refused: the usual misconfiguration of a resource server (the values to
 * configure are printed at Gatehouse's start-up). jose checks the signature
 * before the claims, so what is shown came from a trusted key; the token
 * itself is never logged.
 */
export function createMismatchReporter(
  logger: VerifierLogger,
  expected: { issuer: string; audience: string },
): (error: unknown) => void {
  const warnOnce = once(logger);
  return (error) => {
    if (!(error instanceof errors.JWTClaimValidationFailed)) return;
    if (error.claim === 'iss') {
      warnOnce(
        `gatehouse/verify: refused a token with iss ${shown(error.payload.iss)}: the issuer configured is ${shown(expected.issuer)}`,
      );
    } else if (error.claim === 'aud') {
      warnOnce(
        `gatehouse/verify: refused a token with aud ${shown(error.payload.aud)}: the audience configured is ${shown(expected.audience)}`,
      );
    }
  };
}
