import { currentUser } from '../../../authn/current-user.js';
import { generateRecoveryCodes } from '../../../authn/mfa/recovery-codes.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { definePage, view } from '../page.js';
import type { Shell } from '../shell.js';
import { refusalOf } from '../views/refusal.js';
import { securityPage } from './account-security.js';

/** The codes are in this answer only: the store keeps their hashes, no page shows them again. */
function CodesView(props: { shell: Shell; codes: string[] }) {
  const { shell } = props;
  const t = shell.t.account.security;
  return (
    <section class="card narrow">
      <h1>{t.recoveryTitle}</h1>
      <p class="notice">{t.recoveryShownOnce}</p>
      <ol class="codes" aria-label={t.recoveryCaption} data-recovery-codes="">
        {props.codes.map((code) => (
          <li class="secret">{code}</li>
        ))}
      </ol>
      <p>
        <a href="/account/security">{t.done}</a>
      </p>
    </section>
  );
}

export const accountRecoveryCodePages = [
  definePage({
    method: 'POST',
    url: '/account/recovery-codes',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    handler: async (ctx) => {
      const { core, principal, meta, shell } = ctx;
      const t = shell.t.account.security;
      try {
        const codes = await generateRecoveryCodes(core, await currentUser(core, principal), meta);
        return view(t.recoveryTitle, <CodesView shell={shell} codes={codes} />);
      } catch (error) {
        const refusal = refusalOf(error, ['conflict']);
        return securityPage(ctx, { message: t.recoveryNeedsFactor, status: refusal.status });
      }
    },
  }),
];
