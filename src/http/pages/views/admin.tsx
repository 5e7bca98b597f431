import type { Child } from 'hono/jsx';
import type { Shell } from '../shell.js';

/** An instant as the admin pages show it: ISO 8601 in UTC to the second, the same for every admin. */
export const utc = (at: number | null | undefined): string =>
  at === null || at === undefined ? '' : new Date(at).toISOString().slice(0, 19).replace('T', ' ');

/** The admin console's own links, on every admin page. */
export function AdminNav(props: { shell: Shell }) {
  const { shell } = props;
  const t = shell.t.admin;
  const links: Array<[string, string]> = [
    ['/admin', t.usersLink],
    ['/admin/events', t.eventsLink],
    ['/admin/policy', t.policyLink],
    ['/admin/explain', t.explainLink],
    ...(shell.providerEnabled
      ? [['/admin/clients', t.clientsLink] satisfies [string, string]]
      : []),
  ];
  const current = (href: string) =>
    shell.path === href ||
    (href === '/admin' && shell.path.startsWith('/admin/user/')) ||
    (href === '/admin/clients' && shell.path.startsWith('/admin/clients/'));
  return (
    <nav aria-label={t.nav} class="admin-nav">
      <ul>
        {links.map(([href, label]) => (
          <li>
            <a href={href} aria-current={current(href) ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** An admin page: the console's links, then its content. */
export const AdminPage = (props: { shell: Shell; children: Child }) => (
  <div class="admin">
    <AdminNav shell={props.shell} />
    {props.children}
  </div>
);
