import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { User } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';

/**
 * `requireVerifiedEmail`: a first step that proved a user whose email is not
 * verified ends here, before any challenge or session exists. Only someone
 * who proved the first factor learns it. A magic link never lands here: it
 * proves the mailbox and verifies the address as it signs in.
 */
export async function refuseIfUnverified(
  core: Core,
  user: Pick<User, 'id' | 'emailVerified'>,
  meta: RequestMeta,
  amr: readonly string[],
): Promise<void> {
  if (!core.settings.requireVerifiedEmail || user.emailVerified) return;
  await audit(
    core,
    {
      type: 'login',
      outcome: 'failure',
      userId: user.id,
      detail: { reason: 'email_not_verified', amr: amr.join(' ') },
    },
    meta,
  );
  throw new AuthError(
    'email_not_verified',
    'Verify your email address first: POST /auth/email/verify/resend mails a new link.',
  );
}
