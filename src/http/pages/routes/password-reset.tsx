import { z } from 'zod';
import { forgotPassword, resetPassword } from '../../../authn/account/password-lifecycle.js';
import { limitPasswordResetRequests } from '../../../authn/account/request-limits.js';
import { normalizeEmail } from '../../../authn/meta.js';
import { emailSchema, passwordSchema, tokenSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { isLinkGone, LinkGone } from '../sign-in/link-gone.js';
import { refusalOf } from '../sign-in/refusals.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';

const forgotForm = z.object({ email: emailSchema });
const tokenQuery = z.object({ token: tokenSchema.optional() });
const resetForm = z.object({ token: tokenSchema, password: passwordSchema });

function ForgotView(props: {
  shell: Shell;
  email?: string;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell } = props;
  const t = shell.t.signIn.forgot;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <p>{t.intro}</p>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/forgot-password">
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
          <a href="/login">{t.backToSignIn}</a>
        </Actions>
      </Form>
    </section>
  );
}

function ResetView(props: {
  shell: Shell;
  token: string;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell } = props;
  const t = shell.t.signIn.reset;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/reset-password">
        <input type="hidden" name="token" value={props.token} />
        <Field
          name="password"
          label={t.newPassword}
          type="password"
          autocomplete="new-password"
          hint={shell.t.signIn.signUp.passwordHint}
          error={props.errors?.password}
          required
          autofocus
        />
        <Actions>
          <button type="submit">{t.submit}</button>
        </Actions>
      </Form>
    </section>
  );
}

const resetGone = (shell: Shell) => {
  const t = shell.t.signIn.reset;
  return view(
    t.title,
    <LinkGone
      shell={shell}
      heading={t.heading}
      message={t.invalid}
      href="/forgot-password"
      link={t.askAgain}
    />,
    400,
  );
};

export const passwordResetPages = [
  definePage({
    method: 'GET',
    url: '/forgot-password',
    access: 'public',
    handler: async ({ shell }) => view(shell.t.signIn.forgot.title, <ForgotView shell={shell} />),
  }),
  definePage({
    method: 'POST',
    url: '/forgot-password',
    access: 'public',
    form: forgotForm,
    handler: async ({ core, shell, form, meta, reply }) => {
      const again = (status: number, message?: string, errors?: Record<string, string>) =>
        view(
          shell.t.signIn.forgot.title,
          <ForgotView shell={shell} email={form.raw.email} errors={errors} message={message} />,
          status,
        );
      if (!form.ok) return again(400, undefined, form.errors);
      try {
        await limitPasswordResetRequests(core, normalizeEmail(form.data.email), meta.ip);
      } catch (error) {
        const refusal = refusalOf(error, reply, ['rate_limited']);
        return again(refusal.status, refusal.message);
      }
      // The same answer whether the email has an account or not.
      await forgotPassword(core, form.data.email);
      return redirect('/forgot-password?notice=reset_requested');
    },
  }),
  definePage({
    method: 'GET',
    url: '/reset-password',
    access: 'public',
    query: tokenQuery,
    handler: async ({ shell, query }) => {
      if (!query.token) return resetGone(shell);
      return view(shell.t.signIn.reset.title, <ResetView shell={shell} token={query.token} />);
    },
  }),
  definePage({
    method: 'POST',
    url: '/reset-password',
    access: 'public',
    form: resetForm,
    handler: async ({ core, shell, form, meta, reply }) => {
      const token = form.raw.token ?? '';
      const again = (status: number, message?: string, errors?: Record<string, string>) =>
        view(
          shell.t.signIn.reset.title,
          <ResetView shell={shell} token={token} errors={errors} message={message} />,
          status,
        );
      if (!form.ok) {
        if (form.errors.token) return resetGone(shell);
        return again(400, undefined, form.errors);
      }
      try {
        await resetPassword(
          core,
          { token: form.data.token, newPassword: form.data.password },
          meta,
        );
      } catch (error) {
        if (isLinkGone(error)) return resetGone(shell);
        const refusal = refusalOf(error, reply, ['weak_password']);
        return again(refusal.status, undefined, { password: refusal.message });
      }
      return redirect('/login?notice=password_reset');
    },
  }),
];
