import type { IncomingMessage } from 'node:http';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Core } from '../../core.js';
import type { ProviderPages } from '../../provider/provider.js';
import { SESSION_COOKIE } from '../cookies.js';
import type { PageAssets } from '../pages/assets.js';
import type { Shell } from '../pages/shell.js';
import { strings } from '../pages/strings/index.js';
import { Layout } from '../pages/views/layout.js';

/** The page that runs an interaction: sign-in, account choice, consent (routes/authorize.tsx). */
export const interactionPath = (uid: string): string => `/authorize/${encodeURIComponent(uid)}`;

/** Reads one cookie of a request, unsigned (the provider's own cookies are read by the provider). */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name)
      return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/**
 * The few pages oidc-provider draws itself (an error it cannot send back to
 * the app, the sign-out question, the signed-out page), in the pages' frame.
 * They have no form of ours (the sign-out form is the provider's, with its
 * own token) and no script, so they need neither a CSRF token nor a nonce.
 */
export function providerPages(core: Core, assets: PageAssets): ProviderPages {
  const shellFor = (ctx: KoaContextWithOIDC): Shell => ({
    t: strings,
    nonce: '',
    csrfToken: '',
    user: null,
    branding: core.settings.branding,
    assets,
    path: ctx.path,
  });
  const send = async (ctx: KoaContextWithOIDC, title: string, body: Child) => {
    const html = await Layout({ shell: shellFor(ctx), title, children: body }).toString();
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html>\n${html}`;
  };
  const t = strings.provider;
  return {
    interactionPath,
    readSessionCookie: (ctx) => cookieOf(ctx.req, SESSION_COOKIE),
    renderError: (ctx, out) =>
      send(
        ctx,
        t.errorTitle,
        <section class="card narrow">
          <h1>{t.errorTitle}</h1>
          <p>{t.errorIntro}</p>
          <p>
            <code>{out.error}</code>
            {out.error_description ? ` — ${out.error_description}` : ''}
          </p>
          <p>
            <a href="/">{strings.errors.home}</a>
          </p>
        </section>,
      ),
    logoutSource: (ctx, form) =>
      send(
        ctx,
        t.logoutTitle,
        <section class="card narrow">
          <h1>{t.logoutHeading}</h1>
          {/* The provider's own form (action and single-use token), escaped by the provider. */}
          {raw(form)}
          <div class="actions">
            <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>
              {t.logoutConfirm}
            </button>
            <button type="submit" form="op.logoutForm" class="secondary">
              {t.logoutStay}
            </button>
          </div>
        </section>,
      ),
    postLogoutSuccessSource: (ctx) =>
      send(
        ctx,
        t.loggedOutTitle,
        <section class="card narrow">
          <h1>{t.loggedOutTitle}</h1>
          <p>{t.loggedOut}</p>
          <p>
            <a href="/login">{strings.common.signIn}</a>
          </p>
        </section>,
      ),
  };
}
