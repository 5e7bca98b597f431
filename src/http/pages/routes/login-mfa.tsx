import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeChallenge } from '../../../authn/login/challenge-state.js';
import { completeSecondFactor } from '../../../authn/login/flow.js';
import type { SecondFactorMethod } from '../../../authn/mfa/second-factor.js';
import { sendLoginSmsCode } from '../../../authn/mfa/sms/login-code.js';
import type { Core } from '../../../core.js';
import { isAuthError } from '../../../errors.js';
import { SESSION_COOKIE } from '../../cookies.js';
import { tokenSchema } from '../../schemas.js';
import { definePage, type PageResult, redirect, view } from '../page.js';
import { safeReturnTo, withReturnTo } from '../return-to.js';
import type { Shell } from '../shell.js';
import { loginPath } from '../sign-in/links.js';
import { type Refusal, refusalOf } from '../sign-in/refusals.js';
import {
  challengeOf,
  clearChallenge,
  deliverPageLogin,
  keepChallenge,
} from '../sign-in-delivery.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form, Script } from '../views/layout.js';

const returnToQuery = z.object({ return_to: z.string().max(2000).optional() });

/** The code methods a form may name; a passkey answers through its script. */
const codeForm = z.object({
  method: z.enum(['totp', 'recovery_code', 'sms']),
  code: z.string().trim().min(1).max(64),
  return_to: z.string().max(2000).optional(),
});

const handoffForm = z.object({
  challenge: tokenSchema,
  return_to: z.string().max(2000).optional(),
});

const smsSendForm = z.object({ return_to: z.string().max(2000).optional() });

interface MfaViewProps {
  shell: Shell;
  returnTo: string;
  methods: readonly SecondFactorMethod[];
  /** The challenge, for the passkey script only (it calls the JSON API with it). */
  challenge: string;
  refusal?: Refusal & { method: SecondFactorMethod };
  attemptsLeft?: number;
}

function CodeForm(props: MfaViewProps & { method: 'totp' | 'recovery_code' | 'sms' }) {
  const { shell, method, refusal } = props;
  const t = shell.t.signIn.mfa;
  const label = method === 'totp' ? t.totpLabel : method === 'sms' ? t.smsLabel : t.recoveryLabel;
  const numeric = method !== 'recovery_code';
  return (
    <Form shell={shell} action="/login/mfa">
      <input type="hidden" name="method" value={method} />
      <input type="hidden" name="return_to" value={props.returnTo} />
      <Field
        name="code"
        id={`field-code-${method}`}
        label={label}
        autocomplete="one-time-code"
        inputmode={numeric ? 'numeric' : 'text'}
        maxlength={64}
        error={refusal?.method === method ? refusal.message : undefined}
        required
        autofocus={refusal ? refusal.method === method : method === firstCodeMethod(props.methods)}
      />
      <Actions>
        <button type="submit">{t.verify}</button>
      </Actions>
    </Form>
  );
}

const firstCodeMethod = (methods: readonly SecondFactorMethod[]) =>
  methods.find((method) => method !== 'webauthn');

function MfaView(props: MfaViewProps) {
  const { shell, methods, returnTo } = props;
  const t = shell.t.signIn.mfa;
  const has = (method: SecondFactorMethod) => methods.includes(method);
  const left =
    props.refusal && props.attemptsLeft !== undefined ? t.attemptsLeft(props.attemptsLeft) : '';
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <p>{t.intro}</p>
      <FormError
        shell={shell}
        message={props.refusal ? `${props.refusal.message} ${left}`.trim() : undefined}
      />
      {has('webauthn') ? (
        <div
          class="mfa-method"
          data-passkey-second-factor=""
          data-challenge={props.challenge}
          data-return-to={returnTo}
          data-failed={t.passkeyFailed}
          hidden
        >
          <h2>{t.passkeyHeading}</h2>
          <button type="button">{t.passkeyButton}</button>
          <p data-status="" role="status" class="field-error" hidden />
        </div>
      ) : null}
      {has('totp') ? (
        <div class="mfa-method">
          <h2>{t.totpHeading}</h2>
          <CodeForm {...props} method="totp" />
        </div>
      ) : null}
      {has('sms') ? (
        <div class="mfa-method">
          <h2>{t.smsHeading}</h2>
          <Form shell={shell} action="/login/mfa/sms/send">
            <input type="hidden" name="return_to" value={returnTo} />
            <button type="submit" class="secondary">
              {t.smsSend}
            </button>
          </Form>
          <CodeForm {...props} method="sms" />
        </div>
      ) : null}
      {has('recovery_code') ? (
        <div class="mfa-method">
          <h2>{t.recoveryHeading}</h2>
          <CodeForm {...props} method="recovery_code" />
        </div>
      ) : null}
      <p>
        <a href={withReturnTo('/login', returnTo)}>{t.startOver}</a>
      </p>
      {has('webauthn') ? <Script shell={shell} name="passkey-second-factor" /> : null}
    </section>
  );
}

/** An expired, used or missing challenge: back to the sign-in page, which says so. */
function startOver(reply: FastifyReply, returnTo: string): PageResult {
  clearChallenge(reply);
  return redirect(loginPath({ notice: 'challenge_expired', returnTo }));
}

const isInvalidChallenge = (error: unknown) =>
  isAuthError(error) && error.code === 'invalid_challenge';

/** The challenge page as it stands now, or back to /login when the challenge is gone. */
async function challengePage(
  ctx: { core: Core; reply: FastifyReply; shell: Shell; request: FastifyRequest },
  returnTo: string,
  refusal?: MfaViewProps['refusal'],
): Promise<PageResult> {
  const challenge = challengeOf(ctx.request);
  if (!challenge) return startOver(ctx.reply, returnTo);
  try {
    const state = await describeChallenge(ctx.core, challenge);
    return view(
      ctx.shell.t.signIn.mfa.title,
      <MfaView
        shell={ctx.shell}
        returnTo={returnTo}
        methods={state.methods}
        challenge={challenge}
        refusal={refusal}
        attemptsLeft={state.attemptsLeft}
      />,
      refusal?.status ?? 200,
    );
  } catch (error) {
    if (isInvalidChallenge(error)) return startOver(ctx.reply, returnTo);
    throw error;
  }
}

export const loginMfaPages = [
  definePage({
    method: 'GET',
    url: '/login/mfa',
    access: 'public',
    query: returnToQuery,
    handler: async (ctx) => challengePage(ctx, safeReturnTo(ctx.query.return_to)),
  }),
  definePage({
    method: 'POST',
    url: '/login/mfa',
    access: 'public',
    form: codeForm,
    handler: async (ctx) => {
      const { core, form, reply, request, meta } = ctx;
      const returnTo = safeReturnTo(form.raw.return_to);
      const challenge = challengeOf(request);
      if (!challenge) return startOver(reply, returnTo);
      const method = codeForm.shape.method.safeParse(form.raw.method).data ?? 'totp';
      if (!form.ok) {
        const t = ctx.shell.t;
        const message = form.errors.code ? t.common.required : t.errors.byCode.invalid_request;
        return challengePage(ctx, returnTo, {
          code: 'invalid_request',
          method,
          status: 400,
          message: message ?? t.common.required,
        });
      }
      try {
        const outcome = await completeSecondFactor(
          core,
          { challenge, method: form.data.method, proof: { code: form.data.code } },
          meta,
          { previousSessionToken: request.cookies[SESSION_COOKIE] },
        );
        return deliverPageLogin(core, reply, outcome, returnTo);
      } catch (error) {
        if (isInvalidChallenge(error)) return startOver(reply, returnTo);
        const refusal = refusalOf(
          error,
          reply,
          ['invalid_code', 'rate_limited', 'invalid_request'],
          {
            invalid_code: ctx.shell.t.signIn.mfa.wrongCode,
          },
        );
        return challengePage(ctx, returnTo, { ...refusal, method });
      }
    },
  }),
  definePage({
    method: 'POST',
    url: '/login/mfa/sms/send',
    access: 'public',
    form: smsSendForm,
    handler: async (ctx) => {
      const { core, form, reply, request, meta } = ctx;
      const returnTo = safeReturnTo(form.raw.return_to);
      const challenge = challengeOf(request);
      if (!challenge) return startOver(reply, returnTo);
      try {
        await sendLoginSmsCode(core, challenge, meta);
      } catch (error) {
        if (isInvalidChallenge(error)) return startOver(reply, returnTo);
        const refusal = refusalOf(error, reply, ['rate_limited', 'invalid_request']);
        return challengePage(ctx, returnTo, { ...refusal, method: 'sms' });
      }
      const to = withReturnTo('/login/mfa', returnTo);
      return redirect(`${to}${to.includes('?') ? '&' : '?'}notice=sms_sent`);
    },
  }),
  definePage({
    method: 'POST',
    url: '/login/mfa/start',
    access: 'public',
    form: handoffForm,
    // A passkey sign-in that needs a second factor: its script posts the challenge here, to keep it in the cookie.
    handler: async ({ core, form, reply }) => {
      const returnTo = safeReturnTo(form.raw.return_to);
      if (!form.ok) return startOver(reply, returnTo);
      keepChallenge(reply, form.data.challenge, core.settings.mfa.challengeLifetimeSeconds);
      return redirect(withReturnTo('/login/mfa', returnTo));
    },
  }),
];
