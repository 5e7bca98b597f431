import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import { audit } from '../authn/audit.js';
import type { RequestMeta } from '../authn/meta.js';
import { listFactors } from '../authn/mfa/list-factors.js';
import type { Core } from '../core.js';
import type { Principal } from '../principal.js';
import { findOauthClient } from '../store/repositories/oauth-clients.js';
import { asksForSecondFactor } from './acr-values.js';
import { grantRequested } from './grants.js';

/** The consent screen's content: who asks, for what. */
export interface ConsentRequest {
  clientName: string;
  scopes: string[];
  /** Scopes of APIs (resource indicators), by API. */
  resourceScopes: Record<string, string[]>;
}

/** What the interaction page does next. */
export type InteractionStep =
  /** Nobody is signed in here: the sign-in page, then back. */
  | { kind: 'sign_in' }
  /**
   * Signed in, but the app wants a fresher or stronger sign-in: the step-up
   * page, then back. `secondFactor`: the app asked for aal2, which only a
   * second factor gives (a password would make the session aal1 again).
   */
  | { kind: 'reauthenticate'; secondFactor: boolean }
  | { kind: 'select_account'; clientName: string }
  | { kind: 'consent'; request: ConsentRequest }
  /** Signed in with another account than the one the flow started with. */
  | { kind: 'other_account' }
  /** Done here: back to the provider with this result. */
  | { kind: 'finish'; result: InteractionResults; merge: boolean };

type Signed = Principal & { sessionId: string; authTime: number };

const signedIn = (principal: Principal | null): principal is Signed =>
  principal !== null &&
  principal.via === 'session' &&
  principal.sessionId !== undefined &&
  principal.authTime !== undefined &&
  principal.restriction === undefined;

/**
 * Decides an interaction from Gatehouse's side: the browser's Gatehouse
 * session is the sign-in. `prompt=login` wants a sign-in newer than the
 * request, `max_age` one within that age, `acr_values=aal2` a second factor;
 * a first-party (trusted) client's consent is given without asking.
 */
export async function nextInteractionStep(
  core: Core,
  provider: Provider,
  interaction: Interaction,
  principal: Principal | null,
  options: { meta: RequestMeta },
): Promise<InteractionStep> {
  const { prompt, params } = interaction;
  const askedAt = await loginAskedAt(core, interaction);
  if (!signedIn(principal)) return { kind: 'sign_in' };
  const clientId = String(params.client_id ?? '');
  const client = await findOauthClient(core.store.db, clientId);
  const clientName = client?.name ?? clientId;
  if (prompt.name === 'select_account') {
    // The choice never stands in for a fresher or stronger sign-in the app asked for too.
    const wanted = await loginWanted(core, interaction, principal, askedAt);
    if (wanted) return wanted;
    // Signing in for this flow ("Use another account", or nobody was signed in) was the choice.
    if (principal.authTime >= askedAt) return selectAccountFinish(principal);
    return { kind: 'select_account', clientName };
  }
  if (prompt.name === 'login') {
    const wanted = await loginWanted(core, interaction, principal, askedAt);
    if (wanted) return wanted;
    return { kind: 'finish', result: { login: loginResult(principal) }, merge: false };
  }
  if (interaction.session?.accountId !== principal.userId) return { kind: 'other_account' };
  if (prompt.name === 'consent') {
    if (client?.trusted === 1)
      return finishConsent(core, provider, interaction, principal, options.meta);
    return { kind: 'consent', request: consentRequest(interaction, clientName) };
  }
  throw new Error(`unknown interaction prompt: ${prompt.name}`);
}

/** The page's answer to the consent screen or the account choice. */
export async function answerInteraction(
  core: Core,
  provider: Provider,
  interaction: Interaction,
  principal: Principal | null,
  answer: 'allow' | 'deny' | 'continue',
  meta: RequestMeta,
): Promise<InteractionStep> {
  if (!signedIn(principal)) return { kind: 'sign_in' };
  if (answer === 'continue') {
    if (interaction.prompt.name !== 'select_account')
      return nextInteractionStep(core, provider, interaction, principal, { meta });
    const wanted = await loginWanted(
      core,
      interaction,
      principal,
      await loginAskedAt(core, interaction),
    );
    return wanted ?? selectAccountFinish(principal);
  }
  if (interaction.prompt.name !== 'consent')
    return nextInteractionStep(core, provider, interaction, principal, { meta });
  if (interaction.session?.accountId !== principal.userId) return { kind: 'other_account' };
  if (answer === 'deny') {
    await recordConsent(core, interaction, principal, 'failure', meta);
    return {
      kind: 'finish',
      result: { error: 'access_denied', error_description: 'End-User denied the request' },
      merge: false,
    };
  }
  return finishConsent(core, provider, interaction, principal, meta);
}

async function finishConsent(
  core: Core,
  provider: Provider,
  interaction: Interaction,
  principal: Signed,
  meta: RequestMeta,
): Promise<InteractionStep> {
  const grantId = await grantRequested(core, provider, interaction, {
    id: principal.sessionId,
    userId: principal.userId,
  });
  await recordConsent(core, interaction, principal, 'success', meta);
  return { kind: 'finish', result: { consent: { grantId } }, merge: true };
}

/** An app allowed (or refused) access to the account: the audit log says which app and what it asked for. */
function recordConsent(
  core: Core,
  interaction: Interaction,
  principal: Signed,
  outcome: 'success' | 'failure',
  meta: RequestMeta,
): Promise<void> {
  const detail = {
    clientId: String(interaction.params.client_id ?? ''),
    scope: String(interaction.params.scope ?? ''),
  };
  return audit(core, { type: 'app_authorized', outcome, userId: principal.userId, detail }, meta);
}

const selectAccountFinish = (principal: Signed): InteractionStep => ({
  kind: 'finish',
  result: { select_account: {}, login: loginResult(principal) },
  merge: false,
});

const loginResult = (principal: Signed): NonNullable<InteractionResults['login']> => ({
  accountId: principal.userId,
  acr: principal.acr ?? 'aal1',
  amr: [...(principal.amr ?? [])],
  ts: Math.floor(principal.authTime / 1000),
  remember: true,
});

/** Where the time `prompt=login` counts from is kept, in the interaction's own (stored) result. */
const ASKED_AT = 'gatehouse_login_asked_at';

/**
 * When the app asked, to the millisecond, as Gatehouse's clock says: the
 * first time this page saw the interaction, right after the provider sent the
 * browser here. A sign-in at or after it was made for this request (what
 * `prompt=login` wants, and what answers an account choice). The
 * interaction's `iat` has whole seconds only, so a sign-in made in the same
 * second before the request would pass for a new one.
 */
async function loginAskedAt(core: Core, interaction: Interaction): Promise<number> {
  const kept = (interaction.result as Record<string, unknown> | undefined)?.[ASKED_AT];
  if (typeof kept === 'number') return kept;
  const now = core.clock.now();
  interaction.result = { ...interaction.result, [ASKED_AT]: now };
  await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
  return now;
}

/** `prompt=login` (or `max_age=0`, which oidc-provider turns into it), whatever prompt runs first. */
const wantsFreshLogin = (interaction: Interaction): boolean =>
  interaction.prompt.reasons.includes('login_prompt') ||
  String(interaction.params.prompt ?? '')
    .split(' ')
    .includes('login');

async function loginWanted(
  core: Core,
  interaction: Interaction,
  principal: Signed,
  askedAt: number,
): Promise<InteractionStep | undefined> {
  const { params } = interaction;
  const maxAge = Number(params.max_age);
  const stale =
    (wantsFreshLogin(interaction) && principal.authTime < askedAt) ||
    (Number.isFinite(maxAge) && core.clock.now() - principal.authTime > maxAge * 1000);
  const wantsAal2 = asksForSecondFactor(params.acr_values);
  if (!stale && (!wantsAal2 || principal.acr === 'aal2')) return undefined;
  if (wantsAal2) {
    const { factors } = await listFactors(core, principal.userId);
    if (factors.length === 0)
      return {
        kind: 'finish',
        result: {
          error: 'unmet_authentication_requirements',
          error_description: 'the account has no second factor',
        },
        merge: false,
      };
  }
  return { kind: 'reauthenticate', secondFactor: wantsAal2 };
}

function consentRequest(interaction: Interaction, clientName: string): ConsentRequest {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const resourceScopes = details.missingResourceScopes ?? {};
  // API scopes are provider scopes too (see scopes.ts): asked for an API, one is named under it only.
  const forApis = new Set(Object.values(resourceScopes).flat());
  return {
    clientName,
    scopes: (details.missingOIDCScope ?? []).filter((scope) => !forApis.has(scope)),
    resourceScopes,
  };
}
