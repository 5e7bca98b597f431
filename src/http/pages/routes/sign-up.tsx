import { z } from 'zod';
import { register } from '../../../authn/account/registration.js';
import { limitRegistration } from '../../../authn/account/request-limits.js';
import { emailSchema, passwordSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { refusalOf } from '../sign-in/refusals.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';

const signUpForm = z.object({ email: emailSchema, password: passwordSchema });

function SignUpView(props: {
  shell: Shell;
  email?: string;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell } = props;
  const t = shell.t.signIn.signUp;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/signup">
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
        <Field
          name="password"
          label={shell.t.common.password}
          type="password"
          autocomplete="new-password"
          hint={t.passwordHint}
          error={props.errors?.password}
          required
        />
        <Actions>
          <button type="submit">{t.submit}</button>
        </Actions>
      </Form>
      <p>
        {t.haveAccount} <a href="/login">{shell.t.common.signIn}</a>
      </p>
    </section>
  );
}

export const signUpPages = [
  definePage({
    method: 'GET',
    url: '/signup',
    access: 'public',
    handler: async ({ shell, principal }) => {
      if (principal) return redirect('/account');
      return view(shell.t.signIn.signUp.title, <SignUpView shell={shell} />);
    },
  }),
  definePage({
    method: 'POST',
    url: '/signup',
    access: 'public',
    form: signUpForm,
    handler: async ({ core, shell, form, meta, reply }) => {
      const again = (status: number, message?: string, errors?: Record<string, string>) =>
        view(
          shell.t.signIn.signUp.title,
          <SignUpView shell={shell} email={form.raw.email} errors={errors} message={message} />,
          status,
        );
      if (!form.ok) return again(400, undefined, form.errors);
      try {
        await limitRegistration(core, meta.ip);
        // An email that has an account gets the same answer (its owner a mail), as in the API.
        await register(core, form.data, meta);
      } catch (error) {
        const refusal = refusalOf(error, reply, ['weak_password', 'rate_limited', 'conflict'], {
          conflict: shell.t.signIn.signUp.taken,
        });
        if (refusal.status === 400) return again(400, undefined, { password: refusal.message });
        return again(refusal.status, refusal.message);
      }
      return redirect('/signup/check-email');
    },
  }),
  definePage({
    method: 'GET',
    url: '/signup/check-email',
    access: 'public',
    handler: async ({ shell }) => {
      const t = shell.t.signIn.signUp;
      return view(
        t.sentTitle,
        <section class="card narrow">
          <h1>{t.sentTitle}</h1>
          <p>{t.sentBody}</p>
          <p>
            {t.notReceived} <a href="/verify-email/resend">{shell.t.signIn.sendNewLink}</a>
          </p>
          <p>
            <a href="/login">{shell.t.common.signIn}</a>
          </p>
        </section>,
      );
    },
  }),
];
