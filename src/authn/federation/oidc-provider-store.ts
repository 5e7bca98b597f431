import { oidcProviderSchema } from '../../config/schema.js';
import type { Core } from '../../core.js';
import { seal } from '../../crypto/secret-box.js';
import { AuthError } from '../../errors.js';
import {
  deleteStoredProvider,
  saveStoredProvider,
} from '../../store/repositories/oidc-providers.js';
import { isLoopbackUrl } from './oidc-client.js';
import { listOidcProviders, type OidcProvider, secretAad } from './oidc-providers.js';

/** What `gatehouse oidc list` prints: everything but the secret. */
export type ProviderSummary = Omit<OidcProvider, 'clientSecret'> & { hasClientSecret: boolean };

const summary = ({ clientSecret, ...provider }: OidcProvider): ProviderSummary => ({
  ...provider,
  hasClientSecret: clientSecret !== null,
});

/**
 * Adds (or replaces) a provider in the database, as `gatehouse oidc add`
 * does: the same rules as the settings file, the client secret sealed with
 * the secret box (aad names the provider, so a box copied to another row
 * does not open). A provider of the settings file keeps its id.
 */
export async function saveOidcProvider(
  core: Core,
  input: Record<string, unknown>,
  clientSecret: string | null,
): Promise<ProviderSummary> {
  const parsed = oidcProviderSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuthError(
      'invalid_request',
      `${issue?.path.join('.') || 'provider'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const { clientSecret: _inline, ...config } = parsed.data;
  for (const url of [
    config.issuer,
    config.authorizationEndpoint,
    config.tokenEndpoint,
    config.apiBaseUrl,
  ]) {
    if (url && !url.startsWith('https://') && !(url.startsWith('http://') && isLoopbackUrl(url)))
      throw new AuthError('invalid_request', `${url}: https only (plain http only on loopback)`);
  }
  if (core.settings.oidc.providers.some((p) => p.id === config.id))
    throw new AuthError('conflict', `provider ${config.id} is set in the settings file`);
  await saveStoredProvider(core.store.db, {
    id: config.id,
    config: JSON.stringify(config),
    clientSecretSealed: clientSecret
      ? seal(core.secretKey, clientSecret, secretAad(config.id))
      : null,
    now: core.clock.now(),
  });
  const saved = (await listOidcProviders(core)).find((p) => p.id === config.id);
  if (!saved) throw new Error('saved provider vanished');
  return summary(saved);
}

export async function removeOidcProvider(core: Core, id: string): Promise<void> {
  if (!(await deleteStoredProvider(core.store.db, id)))
    throw new AuthError('not_found', `no provider ${id} added with the CLI`);
}

export const listOidcProviderSummaries = async (core: Core): Promise<ProviderSummary[]> =>
  (await listOidcProviders(core)).map(summary);
