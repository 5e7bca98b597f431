import { z } from 'zod';
import { resendEmailVerification, verifyEmail } from '../../../authn/account/email-verification.js';
import { limitMagicLinkRequests } from '../../../authn/account/request-limits.js';
import { redeemMagicLink, requestMagicLink } from '../../../authn/credentials/magic-link.js';
import { normalizeEmail } from '../../../authn/meta.js';
import { emailSchema, tokenSchema } from '../../schemas.js';
import { definePage, type PageResult, redirect, view } from '../page.js';
import { safeReturnTo, withReturnTo } from '../return-to.js';
import type { Shell } from '../shell.js';
import { isLinkGone, LinkGone } from '../sign-in/link-gone.js';
import { refusalOf } from '../sign-in/refusals.js';
import { deliverPageFirstFactor } from '../sign-in-delivery.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';

const tokenQuery = z.object({ token: tokenSchema.optional() });
const tokenForm = z.object({ token: tokenSchema });
const returnToQuery = z.object({ return_to: z.string().max(2000).optional() });
const resendForm = z.object({ email: emailSchema.optional() });
const emailLinkForm = z.object({ email: emailSchema, return_to: z.string().max(2000).optional() });

/**
 * A mailed link opens a page with one button; only its POST uses the token.
 * Mail scanners and link previews fetch GETs, so a GET must never consume it.
 */
function ConfirmLinkView(props: {
  shell: Shell;
  heading: string;
  intro: string;
  action: string;
  token: string;
  submit: string;
}) {
  return (
    <section class="card narrow">
      <h1>{props.heading}</h1>
      <p>{props.intro}</p>
      <Form shell={props.shell} action={props.action}>
        <input type="hidden" name="token" value={props.token} />
        <Actions>
          <button type="submit">{props.submit}</button>
        </Actions>
      </Form>
    </section>
  );
}

const verifyGone = (shell: Shell) =>
  view(
    shell.t.signIn.verify.title,
    <LinkGone
      shell={shell}
      heading={shell.t.signIn.verify.heading}
      message={shell.t.signIn.verify.invalid}
      href="/verify-email/resend"
      link={shell.t.signIn.verify.askAgain}
    />,
    400,
  );

const magicGone = (shell: Shell) =>
  view(
    shell.t.signIn.magicLink.title,
    <LinkGone
      shell={shell}
      heading={shell.t.signIn.magicLink.heading}
      message={shell.t.signIn.magicLink.invalid}
      href="/login/email-link"
      link={shell.t.signIn.magicLink.askAgain}
    />,
    400,
  );

function EmailLinkView(props: {
  shell: Shell;
  returnTo: string;
  email?: string;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell } = props;
  const t = shell.t.signIn.emailLink;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <p>{t.intro}</p>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/login/email-link">
        <input type="hidden" name="return_to" value={props.returnTo} />
        <Field
          name="email"
          label={shell.t.common.email}
          type="email"
          autocomplete="username"
          value={props.email}
          error={props.errors?.email}
          required
          autofocus
        />
        <Actions>
          <button type="submit">{t.submit}</button>
          <a href={withReturnTo('/login', props.returnTo)}>{shell.t.signIn.forgot.backToSignIn}</a>
        </Actions>
      </Form>
    </section>
  );
}

function ResendView(props: {
  shell: Shell;
  email?: string;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell } = props;
  const t = shell.t.signIn.resend;
  const signedInAs = shell.user?.email;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <p>{signedInAs ? t.introSignedIn(signedInAs) : t.intro}</p>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/verify-email/resend">
        {signedInAs ? null : (
          <Field
            name="email"
            label={shell.t.common.email}
            type="email"
            autocomplete="username"
            value={props.email}
            error={props.errors?.email}
            required
            autofocus
          />
        )}
        <Actions>
          <button type="submit">{t.submit}</button>
          <a href={signedInAs ? '/account' : '/login'}>
            {signedInAs ? shell.t.common.account : shell.t.common.signIn}
          </a>
        </Actions>
      </Form>
    </section>
  );
}

/**
 * The GET of a mailed link: a page with one button that posts the token.
 * It never uses the token itself: mail scanners follow links.
 */
const confirmLinkPage = (
  url: '/verify-email' | '/magic-link',
  words: 'verify' | 'magicLink',
  gone: (shell: Shell) => PageResult,
) =>
  definePage({
    method: 'GET',
    url,
    access: 'public',
    query: tokenQuery,
    handler: async ({ shell, query }) => {
      const t = shell.t.signIn[words];
      if (!query.token) return gone(shell);
      return view(
        t.title,
        <ConfirmLinkView
          shell={shell}
          heading={t.heading}
          intro={t.intro}
          action={url}
          token={query.token}
          submit={t.submit}
        />,
      );
    },
  });

export const emailLinkPages = [
  confirmLinkPage('/verify-email', 'verify', verifyGone),
  definePage({
    method: 'POST',
    url: '/verify-email',
    access: 'public',
    form: tokenForm,
    handler: async ({ core, shell, form, meta, principal }) => {
      if (!form.ok) return verifyGone(shell);
      try {
        await verifyEmail(core, form.data.token, meta);
      } catch (error) {
        if (isLinkGone(error)) return verifyGone(shell);
        throw error;
      }
      return redirect(
        principal ? '/account?notice=email_verified' : '/login?notice=email_verified',
      );
    },
  }),
  definePage({
    method: 'GET',
    url: '/verify-email/resend',
    access: 'public',
    handler: async ({ shell }) => view(shell.t.signIn.resend.title, <ResendView shell={shell} />),
  }),
  definePage({
    method: 'POST',
    url: '/verify-email/resend',
    access: 'public',
    form: resendForm,
    handler: async ({ core, shell, form, meta, reply, principal }) => {
      const again = (status: number, message?: string, errors?: Record<string, string>) =>
        view(
          shell.t.signIn.resend.title,
          <ResendView shell={shell} email={form.raw.email} errors={errors} message={message} />,
          status,
        );
      if (!form.ok) return again(400, undefined, form.errors);
      // Signed in, the link goes to the account's own address; anyone else names one.
      const email = principal ? undefined : form.data.email;
      if (!principal && email === undefined)
        return again(400, undefined, { email: shell.t.common.required });
      try {
        await resendEmailVerification(core, principal, email, meta);
      } catch (error) {
        const refusal = refusalOf(error, reply, ['rate_limited', 'already_verified'], {
          already_verified: shell.t.signIn.resend.alreadyVerified,
        });
        return again(refusal.status, refusal.message);
      }
      // The same answer whether the email has an account or not.
      return redirect('/verify-email/resend?notice=verification_resent');
    },
  }),
  definePage({
    method: 'GET',
    url: '/login/email-link',
    access: 'public',
    query: returnToQuery,
    handler: async ({ shell, query }) =>
      view(
        shell.t.signIn.emailLink.title,
        <EmailLinkView shell={shell} returnTo={safeReturnTo(query.return_to)} />,
      ),
  }),
  definePage({
    method: 'POST',
    url: '/login/email-link',
    access: 'public',
    form: emailLinkForm,
    handler: async ({ core, shell, form, meta, reply }) => {
      const returnTo = safeReturnTo(form.raw.return_to);
      const again = (status: number, message?: string, errors?: Record<string, string>) =>
        view(
          shell.t.signIn.emailLink.title,
          <EmailLinkView
            shell={shell}
            returnTo={returnTo}
            email={form.raw.email}
            errors={errors}
            message={message}
          />,
          status,
        );
      if (!form.ok) return again(400, undefined, form.errors);
      try {
        await limitMagicLinkRequests(core, normalizeEmail(form.data.email), meta.ip);
      } catch (error) {
        const refusal = refusalOf(error, reply, ['rate_limited']);
        return again(refusal.status, refusal.message);
      }
      // The same answer whether the email has an account or not.
      requestMagicLink(core, form.data.email, meta);
      const back = withReturnTo('/login/email-link', returnTo);
      return redirect(`${back}${back.includes('?') ? '&' : '?'}notice=magic_link_requested`);
    },
  }),
  confirmLinkPage('/magic-link', 'magicLink', magicGone),
  definePage({
    method: 'POST',
    url: '/magic-link',
    access: 'public',
    form: tokenForm,
    handler: async (ctx) => {
      const { core, shell, form, meta } = ctx;
      if (!form.ok) return magicGone(shell);
      let user: Awaited<ReturnType<typeof redeemMagicLink>>;
      try {
        user = await redeemMagicLink(core, form.data.token, meta);
      } catch (error) {
        if (isLinkGone(error)) return magicGone(shell);
        const refusal = refusalOf(error, ctx.reply, ['account_banned']);
        return view(
          shell.t.signIn.magicLink.title,
          <section class="card narrow">
            <h1>{shell.t.signIn.magicLink.heading}</h1>
            <FormError shell={shell} message={refusal.message} />
          </section>,
          refusal.status,
        );
      }
      return deliverPageFirstFactor(ctx, user, { amr: ['email'] }, '/account');
    },
  }),
];
