import { randomUUID } from 'node:crypto';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import {
  deleteIdentity,
  findIdentity,
  type Identity,
  insertIdentity,
  listIdentitiesOf,
  touchIdentity,
} from '../../store/repositories/identities.js';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  type User,
  withoutSecret,
} from '../../store/repositories/users.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import { audit } from '../audit.js';
import { refuseIfBanned } from '../login/refuse-banned.js';
import { normalizeEmail, type RequestMeta } from '../meta.js';
import { lockOwner, refuseIfNoWayIn } from '../mfa/last-way-in.js';

export interface UpstreamIdentity {
  provider: string; // 'google', 'github', or 'saml:<connection>'
  subject: string; // stable id at the provider (sub, GitHub id, SAML NameID)
  email: string | null;
  emailVerified: boolean; // the upstream asserts the email is verified
  authoritativeForEmail: boolean; // the provider is authoritative for the email's domain (per-provider setting)
  allowCreate: boolean; // JIT: create a user on first sign-in
  amr: string[]; // what goes into the session's amr for this first step (e.g. ['fed'])
}

export type { Identity };

const refuse = async (
  core: Core,
  meta: RequestMeta,
  identity: UpstreamIdentity,
  userId: string | null,
  error: AuthError,
): Promise<never> => {
  await audit(
    core,
    {
      type: 'upstream_sign_in',
      outcome: 'failure',
      userId,
      detail: { provider: identity.provider, reason: error.code },
    },
    meta,
  );
  throw error;
};

/**
 * The user an upstream provider's verified assertion stands for: the first
 * step of a federated sign-in (the caller continues with afterFirstFactor).
 * A known (provider, subject) is its user. An unknown one whose email has an
 * account takes that account over only when the provider vouches for the
 * address (verified, and authoritative for its domain) and the account's own
 * address is verified; anyone else must sign in the usual way and link from
 * the account page (409 `link_required`). Otherwise an account is created
 * when the provider allows it, else 403 `no_account`. Emails compare exactly
 * after normalisation: no look-alike folding.
 */
export async function upstreamSignIn(
  core: Core,
  identity: UpstreamIdentity,
  meta: RequestMeta,
): Promise<User> {
  return resolve(core, identity, meta, false);
}

async function resolve(
  core: Core,
  identity: UpstreamIdentity,
  meta: RequestMeta,
  retried: boolean,
): Promise<User> {
  const db = core.store.db;
  const now = core.clock.now();
  const known = await findIdentity(db, identity.provider, identity.subject);
  if (known) {
    const found = await findUserById(db, known.userId);
    if (!found) return refuse(core, meta, identity, null, noAccount());
    await refuseIfBanned(core, found, meta, 'federated');
    await touchIdentity(db, known.id, now);
    return withoutSecret(found);
  }
  const email = identity.email === null ? null : normalizeEmail(identity.email);
  const existing = email === null ? null : await findUserByEmail(db, email);
  try {
    if (existing) {
      if (!(identity.emailVerified && identity.authoritativeForEmail && existing.emailVerified)) {
        return await refuse(core, meta, identity, existing.id, linkRequired());
      }
      await refuseIfBanned(core, existing, meta, 'federated');
      await db.transaction().execute(async (trx) => {
        await insertIdentity(trx, newIdentity(identity, existing.id, email, now));
        await auditLinked(core, meta, identity, existing.id, 'verified_email', trx);
      });
      return withoutSecret(existing);
    }
    // A new account only for an address this provider vouches for and owns the domain of: else
    // anyone could open `victim@corp.com` upstream first and keep that identity in it once the
    // victim proves the address here (pre-account takeover). Others sign up, then link.
    if (
      !identity.allowCreate ||
      email === null ||
      !(identity.emailVerified && identity.authoritativeForEmail)
    ) {
      return await refuse(core, meta, identity, null, noAccount());
    }
    return await db.transaction().execute(async (trx) => {
      const created = await insertUser(trx, {
        email,
        passwordHash: null,
        emailVerified: true,
        now,
      });
      await audit(
        core,
        {
          type: 'register',
          outcome: 'success',
          userId: created.id,
          detail: { provider: identity.provider },
        },
        meta,
        trx,
      );
      await insertIdentity(trx, newIdentity(identity, created.id, email, now));
      await auditLinked(core, meta, identity, created.id, 'created', trx);
      return created;
    });
  } catch (error) {
    // A parallel first sign-in of the same identity or email won the insert: read what it wrote.
    if (isUniqueViolation(error) && !retried) return resolve(core, identity, meta, true);
    throw error;
  }
}

const linkRequired = () =>
  new AuthError(
    'link_required',
    'An account with this email exists: sign in the usual way, then link this provider from your account page.',
  );

const noAccount = () =>
  new AuthError(
    'no_account',
    'There is no account for this sign-in, and this provider does not create one.',
  );

const newIdentity = (
  identity: UpstreamIdentity,
  userId: string,
  email: string | null,
  now: number,
): Omit<Identity, 'lastUsedAt'> => ({
  id: randomUUID(),
  provider: identity.provider,
  subject: identity.subject,
  userId,
  email,
  createdAt: now,
});

const auditLinked = (
  core: Core,
  meta: RequestMeta,
  identity: UpstreamIdentity,
  userId: string,
  how: 'verified_email' | 'created' | 'account_page',
  db: Parameters<typeof audit>[3],
) =>
  audit(
    core,
    {
      type: 'identity_linked',
      outcome: 'success',
      userId,
      detail: { provider: identity.provider, how },
    },
    meta,
    db,
  );

/**
 * A signed-in user binds an upstream identity to their account (the account
 * page's "link"). An identity bound to another account is refused (409); one
 * already bound to this account is returned as it is.
 */
export async function linkIdentity(
  core: Core,
  userId: string,
  identity: Pick<UpstreamIdentity, 'provider' | 'subject' | 'email'>,
  meta: RequestMeta,
): Promise<Identity> {
  const db = core.store.db;
  const known = await findIdentity(db, identity.provider, identity.subject);
  if (known) {
    if (known.userId === userId) return known;
    await audit(
      core,
      {
        type: 'identity_linked',
        outcome: 'failure',
        userId,
        detail: { provider: identity.provider, reason: 'linked_to_another_account' },
      },
      meta,
    );
    throw new AuthError('conflict', 'This provider account is linked to another account.');
  }
  const email = identity.email === null ? null : normalizeEmail(identity.email);
  try {
    return await db.transaction().execute(async (trx) => {
      const linked = await insertIdentity(trx, {
        id: randomUUID(),
        provider: identity.provider,
        subject: identity.subject,
        userId,
        email,
        createdAt: core.clock.now(),
      });
      await audit(
        core,
        {
          type: 'identity_linked',
          outcome: 'success',
          userId,
          detail: { provider: identity.provider, how: 'account_page' },
        },
        meta,
        trx,
      );
      return linked;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AuthError('conflict', 'This provider account is linked to another account.');
    }
    throw error;
  }
}

/** Removes one of the user's identities; 404 when it is not theirs, 409 when it is their last way in. */
export async function unlinkIdentity(
  core: Core,
  userId: string,
  identityId: string,
  meta: RequestMeta,
): Promise<void> {
  await core.store.db.transaction().execute(async (trx) => {
    const owner = await lockOwner(core, trx, userId);
    const removed = await deleteIdentity(trx, userId, identityId);
    if (!removed) throw new AuthError('not_found', 'No such linked account.');
    await refuseIfNoWayIn(trx, userId, owner);
    await audit(
      core,
      {
        type: 'identity_unlinked',
        outcome: 'success',
        userId,
        detail: { provider: removed.provider },
      },
      meta,
      trx,
    );
  });
}

export const listIdentities = (core: Core, userId: string): Promise<Identity[]> =>
  listIdentitiesOf(core.store.db, userId);
