import type { Shell } from '../shell.js';

const SECTIONS = [
  ['/account', 'profile'],
  ['/account/password', 'password'],
  ['/account/sessions', 'sessions'],
  ['/account/security', 'security'],
  ['/account/api-keys', 'apiKeys'],
  ['/account/linked-accounts', 'linkedAccounts'],
] as const;

/** The account's sections, this one marked: every account page links every other. */
export function AccountNav(props: { shell: Shell }) {
  const { shell } = props;
  const t = shell.t.account;
  return (
    <nav class="account-nav" aria-label={t.nav}>
      <ul>
        {SECTIONS.map(([href, key]) => (
          <li>
            <a href={href} aria-current={shell.path === href ? 'page' : undefined}>
              {t.sections[key]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
