import { z } from 'zod';
import { type ReauthProof, reauthenticate } from '../../../authn/login/reauthenticate.js';
import { listFactors } from '../../../authn/mfa/list-factors.js';
import type { Core } from '../../../core.js';
import { SESSION_COOKIE, setSessionCookie } from '../../cookies.js';
import { nameSchema, passwordSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import type { Shell } from '../shell.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form, Script } from '../views/layout.js';
import { refusalOf } from '../views/refusal.js';

const returnToQuery = z.object({
  return_to: z.string().max(2000).optional(),
  /** An app asked for a second factor (acr_values=aal2): a password would not do. */
  second_factor: z.literal('1').optional(),
});

const reauthForm = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('password'),
    password: passwordSchema,
    return_to: z.string().max(2000).optional(),
  }),
  z.object({
    method: z.enum(['totp', 'recovery_code']),
    code: nameSchema(64),
    return_to: z.string().max(2000).optional(),
  }),
]);

interface Ways {
  password: boolean;
  codes: ('totp' | 'recovery_code')[];
  passkey: boolean;
}

function ReauthView(props: {
  shell: Shell;
  returnTo: string;
  ways: Ways;
  secondFactor: boolean;
  errors?: Record<string, string>;
  message?: string;
}) {
  const { shell, returnTo, ways, errors, secondFactor } = props;
  const t = shell.t.account.reauth;
  return (
    <section class="card narrow">
      <h1>{t.heading}</h1>
      <p>{secondFactor ? t.whySecondFactor : t.why}</p>
      <FormError shell={shell} message={props.message} />
      {ways.password ? (
        <Form shell={shell} action="/reauthenticate" id="reauth-password">
          <h2>{t.passwordHeading}</h2>
          <input type="hidden" name="method" value="password" />
          <input type="hidden" name="return_to" value={returnTo} />
          <input
            type="hidden"
            name="username"
            autocomplete="username"
            value={shell.user?.email ?? ''}
          />
          <Field
            name="password"
            label={shell.t.common.password}
            type="password"
            autocomplete="current-password"
            error={errors?.password}
            required
            autofocus
          />
          <Actions>
            <button type="submit">{t.confirm}</button>
          </Actions>
        </Form>
      ) : null}
      {ways.codes.length > 0 ? (
        <Form shell={shell} action="/reauthenticate" id="reauth-code">
          <h2>{t.codeHeading}</h2>
          <input type="hidden" name="return_to" value={returnTo} />
          {secondFactor ? <input type="hidden" name="second_factor" value="1" /> : null}
          <div class="field">
            <label for="field-method">{t.method}</label>
            <select id="field-method" name="method">
              {ways.codes.map((method) => (
                <option value={method}>{method === 'totp' ? t.totp : t.recoveryCode}</option>
              ))}
            </select>
          </div>
          <Field
            name="code"
            label={t.code}
            autocomplete="one-time-code"
            maxlength={64}
            error={errors?.code}
            required
            autofocus={!ways.password}
          />
          <Actions>
            <button type="submit">{t.confirm}</button>
          </Actions>
        </Form>
      ) : null}
      {ways.passkey ? (
        <div data-passkey-reauth="" data-return-to={returnTo} data-failed={t.passkeyFailed} hidden>
          <p class="divider">{shell.t.login.orDivider}</p>
          <button type="button" class="secondary">
            {t.passkey}
          </button>
          <p data-status="" role="status" class="field-error" hidden />
          <Script shell={shell} name="passkey-reauthenticate" />
        </div>
      ) : null}
      <p>
        <a href="/account">{shell.t.common.cancel}</a>
      </p>
    </section>
  );
}

/**
 * How this account can prove itself again: its code factors and its passkeys
 * (via JS). The password form is always there: the core does not tell a
 * page whether an account has one, and one without it is refused like a wrong one.
 */
async function waysOf(core: Core, userId: string, secondFactor: boolean): Promise<Ways> {
  const { factors, recoveryCodesRemaining } = await listFactors(core, userId);
  const codes: Ways['codes'] = [];
  if (factors.some((f) => f.method === 'totp')) codes.push('totp');
  if (recoveryCodesRemaining > 0) codes.push('recovery_code');
  const passkey = factors.some((f) => f.method === 'webauthn');
  // Asked for a second factor, the password only leads back here; it stays when the page has nothing else.
  const password = !secondFactor || (codes.length === 0 && !passkey);
  return { password, codes, passkey };
}

const proofOf = (data: z.output<typeof reauthForm>): ReauthProof =>
  data.method === 'password'
    ? { method: 'password', password: data.password }
    : { method: data.method, proof: { code: data.code } };

export const reauthenticatePages = [
  definePage({
    method: 'GET',
    url: '/reauthenticate',
    access: 'account',
    duringEnrollment: true,
    query: returnToQuery,
    handler: async ({ core, principal, shell, query }) => {
      const secondFactor = query.second_factor === '1';
      const ways = await waysOf(core, principal.userId, secondFactor);
      return view(
        shell.t.account.reauth.title,
        <ReauthView
          shell={shell}
          returnTo={safeReturnTo(query.return_to)}
          ways={ways}
          secondFactor={secondFactor}
        />,
      );
    },
  }),
  definePage({
    method: 'POST',
    url: '/reauthenticate',
    access: 'account',
    duringEnrollment: true,
    form: reauthForm,
    handler: async ({ core, principal, shell, form, meta, request, reply }) => {
      const t = shell.t.account;
      const returnTo = safeReturnTo(form.raw.return_to);
      const secondFactor = form.raw.second_factor === '1';
      const again = async (status: number, errors?: Record<string, string>, message?: string) =>
        view(
          t.reauth.title,
          <ReauthView
            shell={shell}
            returnTo={returnTo}
            ways={await waysOf(core, principal.userId, secondFactor)}
            secondFactor={secondFactor}
            errors={errors}
            message={message}
          />,
          status,
        );
      if (!form.ok) return again(400, form.errors);
      try {
        const done = await reauthenticate(
          core,
          principal,
          proofOf(form.data),
          meta,
          request.cookies[SESSION_COOKIE],
        );
        // The cookie's token is new (the old one is dead): the browser keeps the session under it.
        if (done.sessionToken !== null) {
          const leftSeconds = Math.floor((done.absoluteExpiresAt - core.clock.now()) / 1000);
          setSessionCookie(reply, done.sessionToken, Math.max(0, leftSeconds));
        }
        return redirect(returnTo);
      } catch (error) {
        const refusal = refusalOf(
          error,
          ['invalid_credentials', 'invalid_code', 'rate_limited'],
          reply,
        );
        if (refusal.code === 'invalid_credentials')
          return again(refusal.status, { password: t.reauth.wrongPassword });
        if (refusal.code === 'invalid_code')
          return again(refusal.status, { code: t.reauth.wrongCode });
        return again(refusal.status, undefined, t.tooMany);
      }
    },
  }),
];
