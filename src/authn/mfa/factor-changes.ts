import type { Core } from '../../core.js';
import type { Db } from '../../store/schema.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { pageLink } from '../page-links.js';
import { requestSource, sendTemplatedMail } from '../send-mail.js';

export interface FactorChange {
  type: 'factor_added' | 'factor_removed';
  /** `totp`, `webauthn`, `sms`, `recovery_code`. */
  method: string;
  factorId?: string | undefined;
}

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
  await sendTemplatedMail(core, change.type, user.email, {
    method: change.method,
    ip: requestSource(meta),
    accountLink: pageLink(core, 'account'),
  });
}

const METHOD_WORDS: Record<string, string> = {
  webauthn: 'passkeys',
  totp: 'authenticator app',
  recovery_code: 'recovery codes',
  sms: 'phone number',
};

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
  await sendTemplatedMail(core, 'factors_reset', user.email, {
    methods: reset.methods.map((method) => METHOD_WORDS[method] ?? method).join(', '),
    accountLink: pageLink(core, 'account'),
  });
}
