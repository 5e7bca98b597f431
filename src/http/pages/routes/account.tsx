import { currentUser } from '../../../authn/current-user.js';
import type { User } from '../../../store/repositories/users.js';
import { definePage, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';

const SECTION_PATHS: Partial<Record<string, string>> = {
  apiKeys: '/account/api-keys',
  linkedAccounts: '/account/linked-accounts',
};

function ProfileView(props: { shell: Shell; user: User }) {
  const { shell, user } = props;
  const t = shell.t.account;
  return (
    <section class="card">
      <h1>{t.profileHeading}</h1>
      <AccountNav shell={shell} />
      <dl class="facts">
        <dt>{t.email}</dt>
        <dd>
          <span>{user.email}</span>{' '}
          <span class="badge">{user.emailVerified ? t.emailVerified : t.emailNotVerified}</span>
          {user.emailVerified ? null : (
            <p>
              <a href="/verify-email/resend">{t.resendVerification}</a>
            </p>
          )}
          {/* The core has no safe flow to change an address (confirm the new one, tell the old one). */}
          <p class="hint">{t.emailReadOnly}</p>
        </dd>
        <dt>{t.memberSince}</dt>
        <dd>{t.date(user.createdAt)}</dd>
        <dt>{t.roles}</dt>
        <dd>{user.roles.length > 0 ? user.roles.join(', ') : t.noRoles}</dd>
      </dl>
      <ul class="sections">
        {(['password', 'sessions', 'security', 'apiKeys', 'linkedAccounts'] as const).map((key) => (
          <li>
            <a href={SECTION_PATHS[key] ?? `/account/${key}`}>{t.sections[key]}</a>
            <span class="muted"> {t.sectionHints[key]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export const accountPages = [
  definePage({
    method: 'GET',
    url: '/account',
    access: 'account',
    handler: async ({ core, principal, shell }) =>
      view(
        shell.t.account.profileTitle,
        <ProfileView shell={shell} user={await currentUser(core, principal)} />,
      ),
  }),
];
