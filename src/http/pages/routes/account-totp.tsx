import { raw } from 'hono/html';
import { z } from 'zod';
import { currentUser } from '../../../authn/current-user.js';
import { confirmTotp, removeTotp, setupTotp } from '../../../authn/mfa/totp-enrolment.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import type { Principal } from '../../../principal.js';
import { idParams, nameSchema } from '../../schemas.js';
import { definePage, type PageResult, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';
import { refusalOf } from '../views/refusal.js';
import { securityPage } from './account-security.js';

const codeForm = z.object({ code: nameSchema(64) });

function ConfirmForm(props: { shell: Shell; error?: string }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <Form shell={shell} action="/account/totp/confirm">
      <Field
        name="code"
        label={t.totpCode}
        inputmode="numeric"
        autocomplete="one-time-code"
        maxlength={10}
        error={props.error}
        required
        autofocus
      />
      <Actions>
        <button type="submit">{t.totpConfirm}</button>
        <a href="/account/security">{shell.t.common.cancel}</a>
      </Actions>
    </Form>
  );
}

/** The answer to a setup: the secret is in this page only (the store keeps it sealed, and never shows it again). */
function SetupView(props: { shell: Shell; qrSvg: string; secret: string }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <section class="card narrow">
      <h1>{t.totpTitle}</h1>
      <p>{t.totpScan}</p>
      {/* The one markup we do not escape: the SVG that core's qrcode drew from the otpauth URI, no user text in it. */}
      <div class="qr" role="img" aria-label={t.totpScan}>
        {raw(props.qrSvg)}
      </div>
      <p>{t.totpManual}</p>
      <p class="secret" data-totp-secret="">
        {props.secret}
      </p>
      <ConfirmForm shell={shell} />
    </section>
  );
}

function ConfirmAgainView(props: { shell: Shell; error?: string; message?: string }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <section class="card narrow">
      <h1>{t.totpTitle}</h1>
      <FormError shell={shell} message={props.message} />
      {props.message ? null : <ConfirmForm shell={shell} error={props.error} />}
      <Form shell={shell} action="/account/totp/setup">
        <button type="submit" class="secondary">
          {t.totpStartOver}
        </button>
      </Form>
    </section>
  );
}

/** After a factor is added: an enrolment-only session proves it (aal2) to be let go; others go back. */
export const afterFactorAdded = (principal: Principal, notice: string): PageResult =>
  redirect(
    principal.restriction === 'mfa_enrollment'
      ? '/reauthenticate'
      : `/account/security?notice=${notice}`,
  );

export const accountTotpPages = [
  definePage({
    method: 'POST',
    url: '/account/totp/setup',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    handler: async (ctx) => {
      const { core, principal, shell } = ctx;
      try {
        const setup = await setupTotp(core, await currentUser(core, principal));
        return view(
          shell.t.account.security.totpTitle,
          <SetupView shell={shell} qrSvg={setup.qrSvg} secret={setup.secret} />,
        );
      } catch (error) {
        const refusal = refusalOf(error, ['conflict']);
        return securityPage(ctx, {
          message: shell.t.account.security.totpAlreadyActive,
          status: refusal.status,
        });
      }
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/totp/confirm',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    form: codeForm,
    handler: async ({ core, principal, shell, form, meta, reply }) => {
      const t = shell.t.account.security;
      const again = (status: number, error?: string, message?: string) =>
        view(
          t.totpTitle,
          <ConfirmAgainView shell={shell} error={error} message={message} />,
          status,
        );
      if (!form.ok) return again(400, form.errors.code);
      try {
        await confirmTotp(core, await currentUser(core, principal), form.data.code, meta);
      } catch (error) {
        const refusal = refusalOf(
          error,
          ['invalid_code', 'invalid_request', 'conflict', 'rate_limited'],
          reply,
        );
        if (refusal.code === 'invalid_code') return again(refusal.status, t.wrongCode);
        if (refusal.code === 'invalid_request')
          return again(refusal.status, undefined, t.totpNoSetup);
        if (refusal.code === 'conflict')
          return again(refusal.status, undefined, t.totpAlreadyActive);
        return again(refusal.status, undefined, shell.t.account.tooMany);
      }
      return afterFactorAdded(principal, 'totp_added');
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/totp/:id/remove',
    access: 'account',
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async (ctx) => {
      const { core, principal, params, meta, shell } = ctx;
      try {
        await removeTotp(core, await currentUser(core, principal), params.id, meta);
      } catch (error) {
        const refusal = refusalOf(error, ['conflict']);
        return securityPage(ctx, {
          message: shell.t.account.security.lastWayIn,
          status: refusal.status,
        });
      }
      return redirect('/account/security?notice=totp_removed');
    },
  }),
];
