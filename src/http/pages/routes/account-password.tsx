import { z } from 'zod';
import { changePassword } from '../../../authn/account/password-lifecycle.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { isAuthError } from '../../../errors.js';
import { passwordSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';
import { refusalOf } from '../views/refusal.js';

const passwordForm = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });

function PasswordView(props: { shell: Shell; errors?: Record<string, string>; message?: string }) {
  const { shell, errors } = props;
  const t = shell.t.account.password;
  return (
    <section class="card">
      <h1>{t.heading}</h1>
      <AccountNav shell={shell} />
      <p>{t.otherSessions}</p>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/account/password">
        {/* A hidden username lets password managers file the new password under the right account. */}
        <input
          type="hidden"
          name="username"
          autocomplete="username"
          value={shell.user?.email ?? ''}
        />
        <Field
          name="currentPassword"
          label={t.current}
          type="password"
          autocomplete="current-password"
          error={errors?.currentPassword}
          required
        />
        <Field
          name="newPassword"
          label={t.new}
          type="password"
          autocomplete="new-password"
          hint={t.newHint}
          error={errors?.newPassword}
          required
        />
        <Actions>
          <button type="submit">{t.submit}</button>
          <a href="/account">{shell.t.common.cancel}</a>
        </Actions>
      </Form>
    </section>
  );
}

export const accountPasswordPages = [
  definePage({
    method: 'GET',
    url: '/account/password',
    access: 'account',
    // The post demands a recent sign-in: ask for it before the person types two passwords.
    stepUp: RECENT_LOGIN,
    handler: async ({ shell }) =>
      view(shell.t.account.password.title, <PasswordView shell={shell} />),
  }),
  definePage({
    method: 'POST',
    url: '/account/password',
    access: 'account',
    stepUp: RECENT_LOGIN,
    form: passwordForm,
    handler: async ({ core, principal, shell, form, meta, reply }) => {
      const t = shell.t.account;
      const again = (status: number, errors?: Record<string, string>, message?: string) =>
        view(
          t.password.title,
          <PasswordView shell={shell} errors={errors} message={message} />,
          status,
        );
      if (!form.ok) return again(400, form.errors);
      try {
        await changePassword(
          core,
          { userId: principal.userId, sessionId: principal.sessionId, ...form.data },
          meta,
        );
      } catch (error) {
        const refusal = refusalOf(
          error,
          ['invalid_credentials', 'weak_password', 'rate_limited'],
          reply,
        );
        if (refusal.code === 'invalid_credentials')
          return again(refusal.status, { currentPassword: t.password.wrongCurrent });
        if (refusal.code === 'weak_password' && isAuthError(error))
          // The policy's own words: they name the rule and its numbers (length, the word).
          return again(refusal.status, { newPassword: error.message });
        return again(refusal.status, undefined, t.tooMany);
      }
      return redirect('/account?notice=password_changed');
    },
  }),
];
