import type { Core } from '../../core.js';
import type { User } from '../../store/repositories/users.js';
import type { RequestMeta } from '../meta.js';

/** The second factors, in the order a client should offer them: passkeys best, SMS last. */
export const SECOND_FACTOR_METHODS = ['webauthn', 'totp', 'recovery_code', 'sms'] as const;
export type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number];

/** What the client sent for a second factor: a code, or a WebAuthn assertion (JSON). */
export interface SecondFactorProof {
  code?: string | undefined;
  assertion?: unknown;
}

/** What the account page shows of one factor: never a secret. */
export interface FactorSummary {
  id: string;
  method: SecondFactorMethod;
  name: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

/** The context a verification runs in: a login challenge, or a re-authentication of a session. */
export interface FactorContext {
  meta: RequestMeta;
  /** The login challenge being completed, if any: a factor may bind its own state (an SMS code, a WebAuthn challenge) to it. */
  challengeId?: string | undefined;
}

/**
 * One kind of second factor. Each lives in its own module under authn/mfa/
 * and is listed once in registry.ts; the flow knows nothing else of it.
 */
export interface SecondFactor {
  readonly method: SecondFactorMethod;
  /** Whether the user has this factor active (confirmed, not removed). */
  isEnrolled(core: Core, userId: string): Promise<boolean>;
  /** The user's active factors of this kind, for GET /auth/mfa (recovery codes list none: they are counted). */
  list(core: Core, userId: string): Promise<FactorSummary[]>;
  /**
   * Checks the proof. Returns the methods it adds to `amr` when right, null
   * when wrong. Single-use where the factor is (a TOTP step, a recovery code,
   * an SMS code): of parallel verifications of one proof, one succeeds.
   */
  verify(
    core: Core,
    user: User,
    proof: SecondFactorProof,
    context: FactorContext,
  ): Promise<readonly string[] | null>;
}
