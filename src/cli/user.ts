import { createInterface } from 'node:readline/promises';
import { register } from '../authn/account/registration.js';
import { banUser, replaceRoles, unbanUser } from '../authn/admin.js';
import { deleteUser } from '../authn/admin-delete-user.js';
import { sendPasswordReset } from '../authn/admin-password-reset.js';
import { listUserSessions } from '../authn/admin-sessions.js';
import { revokeUserSessions } from '../authn/admin-user.js';
import { CLI_META, normalizeEmail } from '../authn/meta.js';
import { type Core, createCore } from '../core.js';
import { AuthError, isAuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { findUserByEmail } from '../store/repositories/users.js';
import { columns, print, writeLine } from './output.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';
import { usageError } from './usage-error.js';
import { listUsersCommand } from './user-list.js';

/** The operator: no admin account acts, the audit rows say `by: null`. */
const operator = { actorId: null };

const ACTIONS = [
  'create',
  'list',
  'ban',
  'unban',
  'roles',
  'delete',
  'sessions',
  'revoke-sessions',
  'reset-password',
] as const;
type Action = (typeof ACTIONS)[number];
const isAction = (value: string | undefined): value is Action =>
  (ACTIONS as readonly (string | undefined)[]).includes(value);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the shell's, not the password's.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function userIdByEmail(core: Core, email: string): Promise<string> {
  const user = await findUserByEmail(core.store.db, normalizeEmail(email));
  if (!user) throw new AuthError('not_found', `no user with email ${normalizeEmail(email)}`);
  return user.id;
}

/** `--set admin,editor` → its roles; `--set ''` clears them. */
const rolesOf = (list: string) =>
  list
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');

/** Without --yes, a person at a terminal confirms by typing the address; a script must pass --yes. */
async function confirmDelete(email: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw usageError(`add --yes to delete ${email} and everything of theirs (nothing deleted)`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const typed = await prompt.question(
      `Delete ${email} and all their sessions, keys and factors? Type the email to confirm: `,
    );
    if (normalizeEmail(typed) !== email) throw usageError('not confirmed: nothing deleted');
  } finally {
    prompt.close();
  }
}

/** `gatehouse user …`; a usage mistake (a missing or bad flag) exits 2, as an unknown option does. */
export async function runUser(args: string[]): Promise<number> {
  try {
    return await user(args);
  } catch (error) {
    if (isAuthError(error) && error.code === 'invalid_request') {
      process.stderr.write(`gatehouse: ${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function user(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...commonOptions,
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      role: { type: 'string', multiple: true },
      service: { type: 'boolean' },
      reason: { type: 'string' },
      banned: { type: 'boolean' },
      json: { type: 'boolean' },
      set: { type: 'string' },
      yes: { type: 'boolean' },
    },
    strict: true,
  });
  if (!isAction(action)) throw usageError(`user takes ${ACTIONS.join(', ')}`);
  if (action !== 'list' && !values.email) throw usageError('--email is required');
  if (action === 'list' && (values.role?.length ?? 0) > 1)
    throw usageError('user list takes one --role');
  if (action === 'roles' && values.set === undefined)
    throw usageError('--set is required (a comma-separated list of roles, or "" for none)');
  const email = normalizeEmail(values.email ?? '');
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    switch (action) {
      case 'create': {
        if (!values['password-stdin'])
          throw usageError('--password-stdin is required (never pass a password as an argument)');
        // The CLI is the operator: an existing email is an error here, not a silent no-op.
        if (await findUserByEmail(core.store.db, email)) {
          throw new AuthError('conflict', `a user with email ${email} exists`);
        }
        const user = await register(
          core,
          {
            email,
            password: await readStdin(),
            roles: values.role ?? [],
            isService: values.service ?? false,
            // The operator vouches for the address: the first admin can sign in under requireVerifiedEmail.
            emailVerified: true,
          },
          CLI_META,
        );
        print({ id: user.id, email: user.email, roles: user.roles });
        return 0;
      }
      case 'list':
        return await listUsersCommand(core, {
          emailPrefix: values.email,
          role: values.role?.[0],
          bannedOnly: values.banned ?? false,
          json: values.json ?? false,
        });
      case 'ban': {
        const by = { ...operator, reason: values.reason };
        const user = await banUser(core, await userIdByEmail(core, email), by, CLI_META);
        print({ banned: user.email });
        return 0;
      }
      case 'unban':
        print({
          unbanned: (await unbanUser(core, await userIdByEmail(core, email), operator, CLI_META))
            .email,
        });
        return 0;
      case 'roles': {
        const roles = rolesOf(values.set ?? '');
        const id = await userIdByEmail(core, email);
        const user = await replaceRoles(core, id, roles, operator, CLI_META);
        print({ email: user.email, roles: user.roles });
        return 0;
      }
      case 'delete': {
        const id = await userIdByEmail(core, email);
        await confirmDelete(email, values.yes ?? false);
        await deleteUser(core, id, operator, CLI_META);
        print({ deleted: email, id });
        return 0;
      }
      case 'sessions': {
        for (const session of await listUserSessions(core, await userIdByEmail(core, email))) {
          const view = {
            id: session.id,
            createdAt: new Date(session.createdAt).toISOString(),
            lastSeenAt: new Date(session.lastSeenAt).toISOString(),
            ip: session.ip,
            userAgent: session.userAgent,
            amr: session.amr,
          };
          await writeLine(
            values.json
              ? JSON.stringify(view)
              : columns([view.id, view.createdAt, view.lastSeenAt, view.ip, view.userAgent]),
          );
        }
        return 0;
      }
      case 'revoke-sessions': {
        const id = await userIdByEmail(core, email);
        print({ email, revoked: await revokeUserSessions(core, id, operator, CLI_META) });
        return 0;
      }
      case 'reset-password':
        print({
          sent: await sendPasswordReset(core, await userIdByEmail(core, email), operator, CLI_META),
        });
        return 0;
    }
  } finally {
    await core.close();
  }
}
