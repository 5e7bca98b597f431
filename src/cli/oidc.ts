import {
  listOidcProviderSummaries,
  removeOidcProvider,
  saveOidcProvider,
} from '../authn/federation/oidc-provider-store.js';
import { createCore } from '../core.js';
import { AuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** `gatehouse oidc add|list|remove`: upstream providers kept in the database, the secret sealed. */
export async function runOidc(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...commonOptions,
      id: { type: 'string' },
      name: { type: 'string' },
      preset: { type: 'string' },
      issuer: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-stdin': { type: 'boolean' },
      scope: { type: 'string', multiple: true },
      'authoritative-domain': { type: 'string', multiple: true },
      'allow-create': { type: 'boolean' },
      'trust-upstream-amr': { type: 'boolean' },
      'response-mode': { type: 'string' },
      'authorization-endpoint': { type: 'string' },
      'token-endpoint': { type: 'string' },
      'api-base-url': { type: 'string' },
    },
    strict: true,
  });
  if (action !== 'add' && action !== 'list' && action !== 'remove')
    throw new AuthError('invalid_request', 'oidc takes add, list or remove');
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    if (action === 'list') {
      print(await listOidcProviderSummaries(core));
      return 0;
    }
    if (!values.id) throw new AuthError('invalid_request', '--id is required');
    if (action === 'remove') {
      await removeOidcProvider(core, values.id);
      print({ removed: values.id });
      return 0;
    }
    const secret = values['client-secret-stdin'] ? await readStdin() : null;
    if (values['client-secret-stdin'] && !secret)
      throw new AuthError('invalid_request', 'the client secret on stdin is empty');
    const input: Record<string, unknown> = {
      id: values.id,
      name: values.name,
      preset: values.preset,
      issuer: values.issuer,
      tenant: values.tenant,
      clientId: values['client-id'],
      scopes: values.scope,
      authoritativeEmailDomains: values['authoritative-domain'],
      allowCreate: values['allow-create'],
      trustUpstreamAmr: values['trust-upstream-amr'],
      responseMode: values['response-mode'],
      authorizationEndpoint: values['authorization-endpoint'],
      tokenEndpoint: values['token-endpoint'],
      apiBaseUrl: values['api-base-url'],
    };
    for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
    print(await saveOidcProvider(core, input, secret));
    return 0;
  } finally {
    await core.close();
  }
}
