import { z } from 'zod';
import { verifyPasswordLogin } from '../../../authn/credentials/password.js';
import { homeRealmOf } from '../../../authn/federation/home-realm.js';
import { logout } from '../../../authn/sessions.js';
import { clearRefreshCookie, clearSessionCookie } from '../../cookies.js';
import { emailSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import { safeReturnTo, withReturnTo } from '../return-to.js';
import type { Shell } from '../shell.js';
import { refusalOf } from '../sign-in/refusals.js';
import { type UpstreamButton, upstreamButtons } from '../sign-in/upstream.js';
import { deliverPageFirstFactor } from '../sign-in-delivery.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form, Script } from '../views/layout.js';

const returnToQuery = z.object({ return_to: z.string().max(2000).optional() });

const loginForm = z.object({
  email: emailSchema,
  // Empty is allowed here: an email of a single-sign-on domain needs no password (home-realm discovery).
  password: z.string().max(1024),
  return_to: z.string().max(2000).optional(),
});

function LoginView(props: {
  shell: Shell;
  returnTo: string;
  email?: string;
  errors?: Record<string, string>;
  message?: string;
  /** The sign-in was refused for an unconfirmed email: offer a new link beside the message. */
  offerNewLink?: boolean;
  providers?: readonly UpstreamButton[];
}) {
  const { shell, returnTo } = props;
  const t = shell.t.login;
  const action = `/login${returnTo === '/account' ? '' : `?return_to=${encodeURIComponent(returnTo)}`}`;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <FormError shell={shell} message={props.message} />
      {props.offerNewLink ? (
        <p>
          <a href="/verify-email/resend">{shell.t.signIn.sendNewLink}</a>
        </p>
      ) : null}
      <Form shell={shell} action={action}>
        <input type="hidden" name="return_to" value={returnTo} />
        <Field
          name="email"
          label={shell.t.common.email}
          type="email"
          autocomplete="username webauthn"
          value={props.email}
          error={props.errors?.email}
          required
          autofocus
        />
        <Field
          name="password"
          label={shell.t.common.password}
          type="password"
          autocomplete="current-password"
          error={props.errors?.password}
        />
        <Actions>
          <button type="submit">{shell.t.common.signIn}</button>
          <a href="/forgot-password">{t.forgot}</a>
        </Actions>
      </Form>
      <p>
        <a href={withReturnTo('/login/email-link', returnTo)}>{shell.t.signIn.askEmailLink}</a>
      </p>
      <div data-passkey-sign-in="" data-return-to={returnTo} data-failed={t.passkeyFailed} hidden>
        <p class="divider">{t.orDivider}</p>
        <button type="button" class="secondary">
          {t.withPasskey}
        </button>
        <p data-status="" role="status" class="field-error" hidden />
        {/* A passkey sign-in that needs a second factor hands its challenge to the challenge page. */}
        <Form shell={shell} action="/login/mfa/start" id="passkey-handoff">
          <input type="hidden" name="challenge" value="" />
          <input type="hidden" name="return_to" value={returnTo} />
        </Form>
      </div>
      {props.providers && props.providers.length > 0 ? (
        <div class="providers">
          <h2>{t.providersHeading}</h2>
          <ul class="providers-list">
            {props.providers.map((provider) => (
              <li>
                <a class="button secondary" href={provider.href}>
                  {t.withProvider(provider.name)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        {t.noAccount} <a href="/signup">{shell.t.common.signUp}</a>
      </p>
      <Script shell={shell} name="passkey-sign-in" />
    </section>
  );
}

export const loginPages = [
  definePage({
    method: 'GET',
    url: '/login',
    access: 'public',
    query: returnToQuery,
    handler: async ({ core, shell, principal, query }) => {
      const returnTo = safeReturnTo(query.return_to);
      if (principal) return redirect(returnTo);
      return view(
        shell.t.login.title,
        <LoginView
          shell={shell}
          returnTo={returnTo}
          providers={await upstreamButtons(core, returnTo)}
        />,
      );
    },
  }),
  definePage({
    method: 'POST',
    url: '/login',
    access: 'public',
    form: loginForm,
    handler: async (ctx) => {
      const { core, shell, form, meta } = ctx;
      const returnTo = safeReturnTo(form.raw.return_to);
      const providers = await upstreamButtons(core, returnTo);
      const again = (
        status: number,
        message?: string,
        errors?: Record<string, string>,
        offerNewLink = false,
      ) =>
        view(
          shell.t.login.title,
          <LoginView
            shell={shell}
            returnTo={returnTo}
            email={form.raw.email}
            errors={errors}
            message={message}
            offerNewLink={offerNewLink}
            providers={providers}
          />,
          status,
        );
      if (!form.ok) return again(400, undefined, form.errors);
      const realm = await homeRealmOf(core, form.data.email);
      if (realm) return redirect(withReturnTo(`/auth/${realm.kind}/${realm.id}/start`, returnTo));
      if (form.data.password === '')
        return again(400, undefined, { password: shell.t.common.required });
      try {
        const user = await verifyPasswordLogin(core, form.data.email, form.data.password, meta);
        return await deliverPageFirstFactor(ctx, user, { amr: ['pwd'] }, returnTo);
      } catch (error) {
        // Refusals the person can act on are shown on the form; the rest are error pages.
        const refusal = refusalOf(error, ctx.reply, [
          'invalid_credentials',
          'rate_limited',
          'account_banned',
          'email_not_verified',
        ]);
        return again(
          refusal.status,
          refusal.message,
          undefined,
          refusal.code === 'email_not_verified',
        );
      }
    },
  }),
  definePage({
    method: 'POST',
    url: '/logout',
    access: 'account',
    duringEnrollment: true,
    handler: async ({ core, principal, meta, reply }) => {
      await logout(core, principal, meta);
      clearSessionCookie(reply);
      clearRefreshCookie(reply);
      return redirect('/login?notice=signed_out');
    },
  }),
];
