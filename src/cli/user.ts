import { register } from '../authn/account/registration.js';
import { banUser, unbanUser } from '../authn/admin.js';
import { normalizeEmail } from '../authn/meta.js';
import { type Core, createCore } from '../core.js';
import { AuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { findUserByEmail } from '../store/repositories/users.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

const cliMeta = { ip: null, userAgent: 'gatehouse-cli' };

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

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

export async function runUser(args: string[]): Promise<number> {
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
    },
    strict: true,
  });
  if (!values.email) throw new AuthError('invalid_request', '--email is required');
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    switch (action) {
      case 'create': {
        if (!values['password-stdin'])
          throw new AuthError(
            'invalid_request',
            '--password-stdin is required (never pass a password as an argument)',
          );
        // The CLI is the operator: an existing email is an error here, not a silent no-op.
        if (await findUserByEmail(core.store.db, normalizeEmail(values.email))) {
          throw new AuthError(
            'conflict',
            `a user with email ${normalizeEmail(values.email)} exists`,
          );
        }
        const user = await register(
          core,
          {
            email: values.email,
            password: await readStdin(),
            roles: values.role ?? [],
            isService: values.service ?? false,
            // The operator vouches for the address: the first admin can sign in under requireVerifiedEmail.
            emailVerified: true,
          },
          cliMeta,
        );
        print({ id: user.id, email: user.email, roles: user.roles });
        return 0;
      }
      case 'ban':
        print({
          banned: (
            await banUser(
              core,
              await userIdByEmail(core, values.email),
              { actorId: null, reason: values.reason },
              cliMeta,
            )
          ).email,
        });
        return 0;
      case 'unban':
        print({
          unbanned: (
            await unbanUser(
              core,
              await userIdByEmail(core, values.email),
              { actorId: null },
              cliMeta,
            )
          ).email,
        });
        return 0;
      default:
        throw new AuthError('invalid_request', 'user takes create, ban or unban');
    }
  } finally {
    await core.close();
  }
}
