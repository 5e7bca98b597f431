import type { Interaction, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Core } from '../core.js';
import { bindGrantToSession, sessionOfGrant } from '../store/repositories/oauth-grant-sessions.js';
import type { Session } from '../store/repositories/sessions.js';

type BrowserSession = (ctx: KoaContextWithOIDC) => Promise<Session | null>;

/**
 * The grant an authorization request may reuse without asking: one the user
 * gave under the Gatehouse session this browser holds now. A grant given
 * under another (ended, or another device's) session is not reused: the
 * consent step runs again and makes one bound to this session, so ending a
 * session always ends every grant given under it.
 */
export function loadExistingGrantIn(core: Core, browserSession: BrowserSession) {
  return async (ctx: KoaContextWithOIDC) => {
    const given = ctx.oidc.result?.consent?.grantId;
    const clientId = ctx.oidc.client?.clientId;
    const grantId = given ?? (clientId ? ctx.oidc.session?.grantIdFor(clientId) : undefined);
    if (grantId === undefined) return undefined;
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    if (!grant || given !== undefined) return grant;
    const [bound, session] = await Promise.all([
      sessionOfGrant(core.store.db, grantId),
      browserSession(ctx),
    ]);
    return bound !== undefined && bound === session?.id ? grant : undefined;
  };
}

/**
 * Grants what the interaction asks for (scopes, claims, resource scopes) to
 * the client, for the signed-in user, bound to their Gatehouse session.
 */
export async function grantRequested(
  core: Core,
  provider: Provider,
  interaction: Interaction,
  session: Pick<Session, 'id' | 'userId'>,
): Promise<string> {
  const clientId = String(interaction.params.client_id);
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing && existing.accountId === session.userId && existing.clientId === clientId
      ? existing
      : new provider.Grant({ accountId: session.userId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await bindGrantToSession(core.store.db, {
    grant_id: grantId,
    session_id: session.id,
    user_id: session.userId,
    client_id: clientId,
    created_at: core.clock.now(),
  });
  return grantId;
}
