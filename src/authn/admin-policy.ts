/** The loaded policy, read back, and "why may this user do that?" for an admin. */
import { basename } from 'node:path';
import { type Check, type CheckAnswer, explainCheck } from '../authz/check.js';
import type { DecisionContext } from '../authz/environment.js';
import type { Explanation } from '../authz/explain.js';
import { defaultPolicyFile } from '../authz/policy-setup.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Acr, Principal } from '../principal.js';
import {
  findUserByEmail,
  findUserById,
  type User,
  withoutSecret,
} from '../store/repositories/users.js';
import { normalizeEmail } from './meta.js';

export interface LoadedPolicy {
  /** The file's name, or null for the built-in policy. */
  file: string | null;
  document: Readonly<Record<string, unknown>>;
}

/** The policy every decision of this server is made with, as its file said it. */
export const loadedPolicy = (core: Core): LoadedPolicy => ({
  file: core.policy.file === defaultPolicyFile ? null : basename(core.policy.file),
  document: core.policy.document,
});

/** The sign-in the explanation assumes: by default a password sign-in just now. */
export interface AssumedLogin {
  acr?: Acr | undefined;
  ageSeconds?: number | undefined;
}

export interface UserExplanation {
  user: User;
  principal: Principal;
  decision: CheckAnswer;
  explanation: Explanation;
}

/**
 * What the engine answers when this user (by id or email), signed in as `login` says, asks
 * `check` (as POST /authz/check would: ACL grants from the store, the clock
 * and IP of `environment`), with the trace of why.
 */
export async function explainForUser(
  core: Core,
  who: { userId: string } | { email: string },
  check: Check,
  login: AssumedLogin,
  environment: DecisionContext,
): Promise<UserExplanation> {
  const db = core.store.db;
  const found =
    'email' in who
      ? await findUserByEmail(db, normalizeEmail(who.email))
      : await findUserById(db, who.userId);
  if (!found) throw new AuthError('not_found', 'No such user.');
  const user = withoutSecret(found);
  const acr = login.acr ?? 'aal1';
  const principal: Principal = {
    userId: user.id,
    roles: user.roles,
    attributes: user.attributes,
    via: 'session',
    amr: acr === 'aal2' ? ['pwd', 'otp', 'mfa'] : ['pwd'],
    acr,
    authTime: environment.now.getTime() - (login.ageSeconds ?? 0) * 1000,
  };
  const ctx = { db: core.store.db, policy: core.policy, principal, environment };
  return { user, principal, ...(await explainCheck(ctx, check)) };
}
