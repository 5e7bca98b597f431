import { readFile } from 'node:fs/promises';
import { CLI_META } from '../authn/meta.js';
import { createCore } from '../core.js';
import { isAuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { parseClientJwks } from '../provider/client-jwks.js';
import {
  type ClientGrant,
  createClient,
  deleteClient,
  type IdTokenSigningAlg,
  listClients,
  type NewClient,
  rotateClientSecret,
} from '../provider/clients.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';
import { usageError } from './usage-error.js';

const operator = { actorId: null, meta: CLI_META };

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

const GRANTS: readonly ClientGrant[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
];
const ID_TOKEN_ALGS: readonly IdTokenSigningAlg[] = ['EdDSA', 'ES256', 'RS256'];
const isIdTokenAlg = (value: string): value is IdTokenSigningAlg =>
  (ID_TOKEN_ALGS as readonly string[]).includes(value);
const isGrant = (value: string): value is ClientGrant =>
  (GRANTS as readonly string[]).includes(value);

/** The public keys of a `private_key_jwt` client, from a JWKS file. */
async function readJwks(path: string): Promise<NonNullable<NewClient['jwks']>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw usageError(`--jwks-file ${path} cannot be read`);
  }
  return parseClientJwks(text, `--jwks-file ${path}`);
}

async function newClientFrom(values: {
  name?: string | undefined;
  'redirect-uri'?: string[] | undefined;
  public?: boolean | undefined;
  grant?: string[] | undefined;
  scope?: string | undefined;
  trusted?: boolean | undefined;
  'post-logout-redirect-uri'?: string[] | undefined;
  'backchannel-logout-uri'?: string | undefined;
  'jwks-file'?: string | undefined;
  'id-token-signing-alg'?: string | undefined;
}): Promise<NewClient> {
  if (!values.name) throw usageError('--name is required');
  const grants = values.grant ?? [];
  const unknown = grants.find((grant) => !isGrant(grant));
  if (unknown !== undefined)
    throw usageError(`--grant ${unknown}: use ${GRANTS.join(', ')} (repeat --grant for several)`);
  const alg = values['id-token-signing-alg'];
  if (alg !== undefined && !isIdTokenAlg(alg))
    throw usageError(`--id-token-signing-alg ${alg}: use ${ID_TOKEN_ALGS.join(', ')}`);
  return {
    name: values.name,
    redirectUris: values['redirect-uri'] ?? [],
    public: values.public ?? false,
    ...(grants.length === 0 ? {} : { grants: grants.filter(isGrant) }),
    ...(values.scope === undefined ? {} : { scope: values.scope }),
    trusted: values.trusted ?? false,
    postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
    ...(values['backchannel-logout-uri'] === undefined
      ? {}
      : { backchannelLogoutUri: values['backchannel-logout-uri'] }),
    ...(values['jwks-file'] === undefined ? {} : { jwks: await readJwks(values['jwks-file']) }),
    ...(alg === undefined ? {} : { idTokenSigningAlg: alg }),
  };
}

/**
 * `gatehouse clients create|list|delete|rotate-secret`: the apps that sign
 * their users in through Gatehouse. A secret is printed once, never again.
 */
export async function runClients(args: string[]): Promise<number> {
  try {
    return await clients(args);
  } catch (error) {
    // Bad input is a usage error (exit 2), as a bad flag or setting is.
    if (isAuthError(error) && error.code === 'invalid_request') {
      process.stderr.write(`gatehouse: ${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function clients(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...commonOptions,
      id: { type: 'string' },
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      public: { type: 'boolean' },
      grant: { type: 'string', multiple: true },
      scope: { type: 'string' },
      trusted: { type: 'boolean' },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'backchannel-logout-uri': { type: 'string' },
      'jwks-file': { type: 'string' },
      'id-token-signing-alg': { type: 'string' },
    },
    strict: true,
  });
  if (action !== 'create' && action !== 'list' && action !== 'delete' && action !== 'rotate-secret')
    throw usageError('clients takes create, list, delete or rotate-secret');
  const id = values.id ?? '';
  if ((action === 'delete' || action === 'rotate-secret') && !id)
    throw usageError('--id is required');
  // Everything that can be checked without the database is checked before it is opened.
  const input = action === 'create' ? await newClientFrom(values) : null;
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    if (input) print(await createClient(core, input, operator));
    else if (action === 'list') print(await listClients(core));
    else if (action === 'delete') {
      await deleteClient(core, id, operator);
      print({ deleted: id });
    } else print(await rotateClientSecret(core, id, operator));
    return 0;
  } finally {
    await core.close();
  }
}
