import { listFactors } from '../../../authn/mfa/list-factors.js';
import type { FactorSummary } from '../../../authn/mfa/second-factor.js';
import { listUserPasskeys } from '../../../authn/passkeys/management.js';
import type { Core } from '../../../core.js';
import type { Principal } from '../../../principal.js';
import type { Passkey } from '../../../store/repositories/passkeys.js';
import { definePage, type PageResult, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form, Script } from '../views/layout.js';

interface SecurityState {
  passkeys: Passkey[];
  factors: FactorSummary[];
  recoveryCodesRemaining: number;
  smsEnabled: boolean;
  mustEnrol: boolean;
}

function PasskeyRow(props: { shell: Shell; passkey: Passkey }) {
  const { shell, passkey } = props;
  const t = shell.t.account;
  const name = passkey.name ?? t.security.unnamedPasskey;
  return (
    <tr>
      <td>{name}</td>
      <td>{t.dateTime(passkey.createdAt)}</td>
      <td>{passkey.lastUsedAt === null ? t.never : t.dateTime(passkey.lastUsedAt)}</td>
      <td>
        <Form shell={shell} action={`/account/passkeys/${passkey.id}/rename`} class="inline">
          <input
            name="name"
            type="text"
            maxlength={100}
            required
            value={name}
            aria-label={t.security.renameLabel(name)}
          />
          <button type="submit" class="secondary">
            {t.security.rename}
          </button>
        </Form>{' '}
        <Form shell={shell} action={`/account/passkeys/${passkey.id}/remove`} class="inline">
          <button type="submit" class="danger" aria-label={t.security.removeLabel(name)}>
            {t.security.remove}
          </button>
        </Form>
      </td>
    </tr>
  );
}

function Passkeys(props: { shell: Shell; passkeys: Passkey[] }) {
  const { shell, passkeys } = props;
  const t = shell.t.account.security;
  return (
    <section aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">{t.passkeysHeading}</h2>
      <p class="hint">{t.passkeysHint}</p>
      {passkeys.length === 0 ? (
        <p class="muted">{t.noPasskeys}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.passkeyName}</th>
                <th scope="col">{t.passkeyCreated}</th>
                <th scope="col">{t.passkeyLastUsed}</th>
                <th scope="col">{t.passkeyActions}</th>
              </tr>
            </thead>
            <tbody>
              {passkeys.map((passkey) => (
                <PasskeyRow shell={shell} passkey={passkey} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted" data-passkey-needs-js="">
        {t.passkeyNeedsJs}
      </p>
      {/* Registration is WebAuthn: browser/passkey-register.ts runs it against the JSON API. */}
      <form
        data-passkey-register=""
        data-failed={t.passkeyFailed}
        data-working={t.addingPasskey}
        hidden
      >
        <Field
          name="passkeyName"
          label={t.newPasskeyName}
          hint={t.newPasskeyHint}
          maxlength={100}
          autocomplete="off"
        />
        <Actions>
          <button type="submit">{t.addPasskey}</button>
        </Actions>
        <p data-status="" role="status" class="field-error" hidden />
      </form>
      <Script shell={shell} name="passkey-register" />
    </section>
  );
}

function Totp(props: { shell: Shell; factor?: FactorSummary }) {
  const { shell, factor } = props;
  const t = shell.t.account;
  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">{t.security.totpHeading}</h2>
      <p class="hint">{t.security.totpHint}</p>
      {factor ? (
        <>
          <p>{t.security.totpActive(t.date(factor.createdAt))}</p>
          <Form shell={shell} action={`/account/totp/${factor.id}/remove`}>
            <button type="submit" class="danger">
              {t.security.totpRemove}
            </button>
          </Form>
        </>
      ) : (
        <>
          <p class="muted">{t.security.totpNone}</p>
          <Form shell={shell} action="/account/totp/setup">
            <button type="submit">{t.security.totpSetup}</button>
          </Form>
        </>
      )}
    </section>
  );
}

function RecoveryCodes(props: { shell: Shell; remaining: number; canGenerate: boolean }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <section aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">{t.recoveryHeading}</h2>
      <p class="hint">{t.recoveryHint}</p>
      <p>{t.recoveryRemaining(props.remaining)}</p>
      {props.canGenerate ? (
        <Form shell={shell} action="/account/recovery-codes">
          <p class="hint">{t.recoveryGenerateHint}</p>
          <button type="submit" class="secondary">
            {t.recoveryGenerate}
          </button>
        </Form>
      ) : (
        <p class="muted">{t.recoveryNeedsFactor}</p>
      )}
    </section>
  );
}

function Sms(props: { shell: Shell; factor?: FactorSummary }) {
  const { shell, factor } = props;
  const t = shell.t.account.security;
  return (
    <section aria-labelledby="sms-heading">
      <h2 id="sms-heading">{t.smsHeading}</h2>
      <p class="hint">{t.smsHint}</p>
      {factor ? (
        <>
          <p>{t.smsActive(factor.name ?? '')}</p>
          <Form shell={shell} action={`/account/sms/${factor.id}/remove`}>
            <button type="submit" class="danger">
              {t.smsRemove}
            </button>
          </Form>
        </>
      ) : (
        <Form shell={shell} action="/account/sms/setup">
          <p class="muted">{t.smsNone}</p>
          <Field
            name="phone"
            label={t.smsPhone}
            hint={t.smsPhoneHint}
            type="tel"
            inputmode="tel"
            autocomplete="tel"
            maxlength={16}
            required
          />
          <button type="submit" class="secondary">
            {t.smsSend}
          </button>
        </Form>
      )}
    </section>
  );
}

function SecurityView(props: { shell: Shell; state: SecurityState; message?: string }) {
  const { shell, state } = props;
  const t = shell.t.account.security;
  const totp = state.factors.find((f) => f.method === 'totp');
  const sms = state.factors.find((f) => f.method === 'sms');
  const others = state.factors.filter((f) => f.method !== 'recovery_code');
  return (
    <section class="card">
      <h1>{t.heading}</h1>
      <AccountNav shell={shell} />
      {state.mustEnrol ? <p class="notice">{t.enrolmentRequired}</p> : null}
      <FormError shell={shell} message={props.message} />
      <Passkeys shell={shell} passkeys={state.passkeys} />
      <Totp shell={shell} factor={totp} />
      <RecoveryCodes
        shell={shell}
        remaining={state.recoveryCodesRemaining}
        canGenerate={others.length > 0}
      />
      {state.smsEnabled ? <Sms shell={shell} factor={sms} /> : null}
    </section>
  );
}

/** The security page, optionally with a refusal of one of its actions above it (then with that status). */
export async function securityPage(
  ctx: { core: Core; principal: Principal; shell: Shell },
  refusal?: { message: string; status: number },
): Promise<PageResult> {
  const { core, principal, shell } = ctx;
  const [passkeys, { factors, recoveryCodesRemaining }] = await Promise.all([
    listUserPasskeys(core, principal.userId),
    listFactors(core, principal.userId),
  ]);
  const state: SecurityState = {
    passkeys,
    factors,
    recoveryCodesRemaining,
    smsEnabled: core.settings.sms.enabled,
    mustEnrol: principal.restriction === 'mfa_enrollment',
  };
  return view(
    shell.t.account.security.title,
    <SecurityView shell={shell} state={state} message={refusal?.message} />,
    refusal?.status ?? 200,
  );
}

export const accountSecurityPages = [
  definePage({
    method: 'GET',
    url: '/account/security',
    access: 'account',
    duringEnrollment: true,
    handler: async (ctx) => securityPage(ctx),
  }),
];
