import { randomUUID } from 'node:crypto';
import { assertKnownRoles } from '../../authz/known-roles.js';
import type { Core } from '../../core.js';
import { hashPassword } from '../../crypto/password-hash.js';
import { checkPassword } from '../../crypto/password-policy.js';
import { AuthError } from '../../errors.js';
import { findUserByEmail, insertUser, type User } from '../../store/repositories/users.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import { audit } from '../audit.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { sendTemplatedMail } from '../send-mail.js';
import { issueEmailVerificationToken, mailEmailVerification } from './email-verification.js';

export interface RegisterInput {
  email: string;
  password: string;
  roles?: string[];
  isService?: boolean;
  /** The operator vouches for the address (`gatehouse user create`): verified, and no link is mailed. */
  emailVerified?: boolean;
}

async function alreadyRegistered(core: Core, email: string, now: number): Promise<User> {
  if (core.settings.revealRegisteredEmails) {
    throw new AuthError('conflict', 'An account with this email exists.');
  }
  await sendTemplatedMail(core, 'already_registered', email, {
    signInLink: pageLink(core, 'login'),
  });
  const lookalike: User = {
    id: randomUUID(),
    email,
    emailVerified: false,
    roles: [],
    attributes: {},
    isService: false,
    bannedAt: null,
    bannedReason: null,
    createdAt: now,
    rolesVersion: 0,
  };
  return lookalike;
}

/**
 * Creates an account and mails a verification link. An email that already has
 * an account gets the same answer (a look-alike user that does not exist) and
 * its owner a notice, so registration cannot enumerate accounts, unless the
 * deployment chose `revealRegisteredEmails` and a 409.
 */
export async function register(core: Core, input: RegisterInput, meta: RequestMeta): Promise<User> {
  const email = normalizeEmail(input.email);
  assertKnownRoles(core.policy, input.roles ?? []);
  const password = checkPassword(input.password, core.passwordPolicy, { email });
  const passwordHash = await hashPassword(password, core.argon2);
  const now = core.clock.now();
  if (await findUserByEmail(core.store.db, email)) return alreadyRegistered(core, email, now);
  let user: User;
  let verificationToken: string | null = null;
  try {
    user = await core.store.db.transaction().execute(async (trx) => {
      const created = await insertUser(trx, {
        email,
        passwordHash,
        roles: input.roles ?? [],
        isService: input.isService ?? false,
        emailVerified: input.emailVerified ?? false,
        now,
      });
      await audit(core, { type: 'register', outcome: 'success', userId: created.id }, meta, trx);
      // In the same transaction: a registration answered 503 leaves no user, and one answered
      // 201 always has its link (a second write after the commit could fail alone).
      if (!created.emailVerified)
        verificationToken = await issueEmailVerificationToken(core, trx, created.id);
      return created;
    });
  } catch (error) {
    // Two registrations of one email at the same instant: the loser is an "already registered".
    if (isUniqueViolation(error)) return alreadyRegistered(core, email, now);
    throw error;
  }
  if (verificationToken) await mailEmailVerification(core, user.email, verificationToken);
  return user;
}
