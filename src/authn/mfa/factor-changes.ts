import type { Core } from '../../core.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';

export interface FactorChange {
  type: 'factor_added' | 'factor_removed';
  /** `totp`, `webauthn`, `sms`, `recovery_code`. */
  method: string;
  factorId?: string | undefined;
}

const words: Record<FactorChange['type'], string> = {
  factor_added: 'was added to',
  factor_removed: 'was removed from',
};

/**
 * Every added or removed factor is audited (in `db`, to join the change's
 * transaction) and mailed to the owner, who learns of a change they did not
 * make. Every caller runs it as the last step of the change's transaction (the
 * audit row commits or rolls back with the change); the mail is sent before the
 * commit and cannot be taken back, so nothing that may still fail comes after it.
 */
export async function recordFactorChange(
  core: Core,
  user: { id: string; email: string },
  change: FactorChange,
  meta: RequestMeta,
  db: Db = core.store.db,
): Promise<void> {
  const detail = {
    method: change.method,
    ...(change.factorId === undefined ? {} : { factorId: change.factorId }),
  };
  await audit(core, { type: change.type, outcome: 'success', userId: user.id, detail }, meta, db);
  await core.mailer.send({
    to: user.email,
    subject: `A sign-in method ${words[change.type]} your account`,
    text: `A ${change.method} sign-in method ${words[change.type]} your account${
      meta.ip ? ` from ${meta.ip}` : ''
    }.\n\nIf this was not you, change your password and review your account's sign-in methods.`,
  });
}

/**
 * An administrator's reset of every second factor (a lost phone): one
 * audit row naming the methods removed and the admin, one mail to the
 * owner. Like recordFactorChange, the last step of the reset's transaction.
 */
export async function recordFactorReset(
  core: Core,
  user: { id: string; email: string },
  reset: { methods: readonly string[]; by: string | null },
  meta: RequestMeta,
  db: Db = core.store.db,
): Promise<void> {
  const detail = { method: reset.methods.join(','), reset: true, by: reset.by };
  await audit(
    core,
    { type: 'factor_removed', outcome: 'success', userId: user.id, detail },
    meta,
    db,
  );
  await core.mailer.send({
    to: user.email,
    subject: 'An administrator removed your sign-in methods',
    text: `An administrator removed every second sign-in method of your account (${reset.methods.join(
      ', ',
    )}). You can sign in with your password alone now; add a second method again from your account.\n\nIf you did not ask for this, change your password and contact your administrator.`,
  });
}
