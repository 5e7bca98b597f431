import type { Core } from '../../core.js';
import { open } from '../../crypto/secret-box.js';
import { type ExportedUserRecord, exportPage } from '../../store/repositories/user-import.js';
import { totpSecretAad } from '../mfa/totp-factor.js';
import type { GatehouseUserLine } from './gatehouse-jsonl.js';

const PAGE_SIZE = 500;

function asLine(core: Core, user: ExportedUserRecord): GatehouseUserLine {
  const attributes: unknown = JSON.parse(user.attributes);
  return {
    email: user.email,
    emailVerified: user.emailVerified,
    roles: user.roles,
    passwordHash: user.passwordHash,
    banned: user.bannedAt !== null,
    bannedReason: user.bannedReason,
    createdAt: new Date(user.createdAt).toISOString(),
    isService: user.isService,
    attributes:
      attributes !== null && typeof attributes === 'object' && !Array.isArray(attributes)
        ? (attributes as Record<string, unknown>)
        : {},
    // Opened here: the sealing key is this deployment's; the importing one seals it under its own.
    totp: user.totp && {
      secret: open(core.secretKey, user.totp.secretSealed, totpSecretAad(user.totp.id)),
      algorithm: user.totp.algorithm,
      digits: user.totp.digits,
      period: user.totp.periodSeconds,
    },
  };
}

/** Every user in email order, a keyset page at a time (never all in memory), as Gatehouse JSONL objects. */
export async function* exportUsers(core: Core): AsyncGenerator<GatehouseUserLine> {
  let after: string | undefined;
  for (;;) {
    const page = await exportPage(core.store.db, core.store.dialect, after, PAGE_SIZE);
    for (const user of page) yield asLine(core, user);
    if (page.length < PAGE_SIZE) return;
    after = page[page.length - 1]?.email;
  }
}
