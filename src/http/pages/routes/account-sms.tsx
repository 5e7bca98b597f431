import { z } from 'zod';
import {
  confirmSmsSetup,
  removeSmsFactor,
  startSmsSetup,
} from '../../../authn/mfa/sms/enrolment.js';
import { E164 } from '../../../authn/mfa/sms/phone.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { idParams } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';
import { refusalOf } from '../views/refusal.js';
import { securityPage } from './account-security.js';
import { afterFactorAdded } from './account-totp.js';

const phoneForm = z.object({ phone: z.string().max(16).regex(E164) });
const codeForm = z.object({
  code: z
    .string()
    .max(16)
    .regex(/^\d{6}$/),
});

function ConfirmView(props: { shell: Shell; to?: string; error?: string; message?: string }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <section class="card narrow">
      <h1>{t.smsTitle}</h1>
      {props.to ? <p>{t.smsSent(props.to)}</p> : null}
      <FormError shell={shell} message={props.message} />
      <Form shell={shell} action="/account/sms/confirm">
        <Field
          name="code"
          label={t.smsCode}
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength={6}
          error={props.error}
          required
          autofocus
        />
        <Actions>
          <button type="submit">{t.smsConfirm}</button>
          <a href="/account/security">{shell.t.common.cancel}</a>
        </Actions>
      </Form>
    </section>
  );
}

/** Mounted only when `sms.enabled`, as the JSON API's SMS routes are. */
export const accountSmsPages = [
  definePage({
    method: 'POST',
    url: '/account/sms/setup',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    form: phoneForm,
    handler: async (ctx) => {
      const { core, principal, meta, shell, form } = ctx;
      const t = shell.t.account.security;
      if (!form.ok) return securityPage(ctx, { message: t.smsPhoneHint, status: 400 });
      try {
        const sent = await startSmsSetup(core, principal.userId, form.data.phone, meta);
        return view(t.smsTitle, <ConfirmView shell={shell} to={sent.to} />);
      } catch (error) {
        const refusal = refusalOf(error, ['conflict', 'rate_limited'], ctx.reply);
        const message = refusal.code === 'conflict' ? t.smsAlreadyActive : shell.t.account.tooMany;
        return securityPage(ctx, { message, status: refusal.status });
      }
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/sms/confirm',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    form: codeForm,
    handler: async ({ core, principal, meta, shell, form, reply }) => {
      const t = shell.t.account.security;
      const again = (status: number, error?: string, message?: string) =>
        view(t.smsTitle, <ConfirmView shell={shell} error={error} message={message} />, status);
      if (!form.ok) return again(400, t.wrongCode);
      try {
        await confirmSmsSetup(core, principal.userId, form.data.code, meta);
      } catch (error) {
        const refusal = refusalOf(error, ['invalid_code', 'conflict', 'rate_limited'], reply);
        if (refusal.code === 'invalid_code') return again(refusal.status, t.wrongCode);
        if (refusal.code === 'conflict')
          return again(refusal.status, undefined, t.smsAlreadyActive);
        return again(refusal.status, undefined, shell.t.account.tooMany);
      }
      return afterFactorAdded(principal, 'sms_added');
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/sms/:id/remove',
    access: 'account',
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async (ctx) => {
      const { core, principal, params, meta, shell } = ctx;
      try {
        await removeSmsFactor(core, principal.userId, params.id, meta);
      } catch (error) {
        const refusal = refusalOf(error, ['conflict']);
        return securityPage(ctx, {
          message: shell.t.account.security.lastWayIn,
          status: refusal.status,
        });
      }
      return redirect('/account/security?notice=sms_removed');
    },
  }),
];
