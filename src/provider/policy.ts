import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Session } from '../store/repositories/sessions.js';
import { asksForSecondFactor } from './acr-values.js';

const { Check, Prompt, base } = interactionPolicy;

type BrowserSession = (ctx: KoaContextWithOIDC) => Promise<Session | null>;

/**
 * oidc-provider's default prompts (login, consent), after `select_account`
 * (asked for with `prompt=select_account` only), with two more reasons to ask
 * for a login:
 * - the provider's own session is no sign-in by itself: the browser must
 *   still hold a live Gatehouse session of the same user, so signing out of
 *   Gatehouse (or a ban, or a revocation) signs the user out of every app at
 *   its next authorization;
 * - `acr_values=aal2` needs a session that reached aal2.
 */
export function interactionPolicyFor(browserSession: BrowserSession) {
  const policy = base();
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 0);
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  login.checks.add(
    new Check(
      'gatehouse_session',
      'End-User is not signed in to Gatehouse',
      'login_required',
      async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        if (accountId === undefined) return Check.NO_NEED_TO_PROMPT;
        const session = await browserSession(ctx);
        return session?.userId === accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
    ),
  );
  login.checks.add(
    new Check('acr_aal2', 'a second factor is requested', 'login_required', (ctx) => {
      if (!asksForSecondFactor(ctx.oidc.params?.acr_values)) return Check.NO_NEED_TO_PROMPT;
      return ctx.oidc.session?.acr === 'aal2' ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
