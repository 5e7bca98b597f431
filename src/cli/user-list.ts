import { listUsers } from '../authn/admin.js';
import type { Core } from '../core.js';
import type { User } from '../store/repositories/users.js';
import { columns, writeLine } from './output.js';

const PAGE_SIZE = 500;

export interface UserListOptions {
  emailPrefix?: string | undefined;
  role?: string | undefined;
  bannedOnly: boolean;
  json: boolean;
}

const asJson = (user: User) =>
  JSON.stringify({
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    roles: user.roles,
    banned: user.bannedAt !== null,
    bannedReason: user.bannedReason,
    createdAt: new Date(user.createdAt).toISOString(),
  });

const asColumns = (user: User) =>
  columns([
    user.email,
    user.id,
    user.roles.join(',') || '-',
    user.bannedAt === null ? 'active' : `banned: ${user.bannedReason ?? 'no reason given'}`,
  ]);

/**
 * `gatehouse user list`: every matching user in email order (stable: the email
 * is unique), a keyset page at a time, each page written before the next is
 * read. One JSON object per line with --json, else tab-separated columns.
 */
export async function listUsersCommand(core: Core, options: UserListOptions): Promise<number> {
  const query = {
    sort: 'email' as const,
    order: 'asc' as const,
    emailPrefix: options.emailPrefix,
    role: options.role,
    banned: options.bannedOnly ? true : undefined,
  };
  let from: Parameters<typeof listUsers>[2]['from'];
  do {
    const page = await listUsers(core, query, { limit: PAGE_SIZE, from });
    for (const user of page.items) await writeLine(options.json ? asJson(user) : asColumns(user));
    from = page.next ?? undefined;
  } while (from);
  return 0;
}
