import { z } from 'zod';
import { listUsers } from '../../../authn/admin.js';
import { AuthError } from '../../../errors.js';
import type { User } from '../../../store/repositories/users.js';
import {
  decodeUserCursor,
  encodeUserCursor,
  nextUserCursor,
  positionOfUser,
  type UserListOrder,
} from '../../user-cursor.js';
import { definePage, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AdminPage, utc } from '../views/admin.js';
import { Actions, Field } from '../views/fields.js';

const manage = { permission: 'users:manage' } as const;
const PAGE_SIZE = 50;

const listQuery = z.object({
  q: z.string().max(254).optional(),
  sort: z.enum(['created', 'email']).default('created'),
  order: z.enum(['asc', 'desc']).default('asc'),
  after: z.string().max(480).optional(),
  before: z.string().max(480).optional(),
});

/** `/admin?…` with this search and order, and the other parameters given. */
function listHref(q: string, order: UserListOrder, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    ...(q ? { q } : {}),
    ...(order.sort === 'created' ? {} : { sort: order.sort }),
    ...(order.order === 'asc' ? {} : { order: order.order }),
    ...extra,
  });
  const text = params.toString();
  return text ? `/admin?${text}` : '/admin';
}

const notACursor = () => new AuthError('invalid_request', 'not a cursor from this list');

function SortHeader(props: {
  shell: Shell;
  q: string;
  order: UserListOrder;
  column: UserListOrder['sort'];
  label: string;
}) {
  const t = props.shell.t.admin.users;
  const active = props.order.sort === props.column;
  const nextOrder = active && props.order.order === 'asc' ? 'desc' : 'asc';
  const state = active ? (props.order.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={state}>
      <a href={listHref(props.q, { sort: props.column, order: nextOrder })}>
        {props.label}
        <span class="visually-hidden">
          {active
            ? ` (${props.order.order === 'asc' ? t.sortedAscending : t.sortedDescending})`
            : ''}
        </span>
      </a>
    </th>
  );
}

function UsersView(props: {
  shell: Shell;
  q: string;
  order: UserListOrder;
  users: User[];
  previous: string | null;
  next: string | null;
}) {
  const { shell, q, order, users } = props;
  const t = shell.t.admin.users;
  return (
    <AdminPage shell={shell}>
      <h1>{t.title}</h1>
      <form method="get" action="/admin">
        <Field name="q" label={t.searchLabel} hint={t.searchHint} type="search" value={q} />
        {order.sort === 'created' ? null : <input type="hidden" name="sort" value={order.sort} />}
        {order.order === 'asc' ? null : <input type="hidden" name="order" value={order.order} />}
        <Actions>
          <button type="submit">{t.search}</button>
        </Actions>
      </form>
      {users.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <SortHeader shell={shell} q={q} order={order} column="email" label={t.email} />
                <th scope="col">{t.roles}</th>
                <th scope="col">{t.status}</th>
                <th scope="col">{t.verified}</th>
                <SortHeader shell={shell} q={q} order={order} column="created" label={t.created} />
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr>
                  <td>
                    <a href={`/admin/user/${user.id}`}>{user.email}</a>
                  </td>
                  <td>{user.roles.length > 0 ? user.roles.join(', ') : t.none}</td>
                  <td>{user.bannedAt === null ? t.active : t.banned}</td>
                  <td>{user.emailVerified ? t.yes : t.no}</td>
                  <td>{utc(user.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label={t.pages}>
        <ul class="pager">
          {props.previous ? (
            <li>
              <a href={listHref(q, order, { before: props.previous })} rel="prev">
                {t.previous}
              </a>
            </li>
          ) : null}
          {props.next ? (
            <li>
              <a href={listHref(q, order, { after: props.next })} rel="next">
                {t.next}
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
    </AdminPage>
  );
}

const flip = (order: UserListOrder): UserListOrder => ({
  sort: order.sort,
  order: order.order === 'asc' ? 'desc' : 'asc',
});

export const adminUserListPages = [
  definePage({
    method: 'GET',
    url: '/admin',
    access: manage,
    query: listQuery,
    handler: async ({ core, shell, query }) => {
      const q = query.q?.trim() ?? '';
      const order: UserListOrder = { sort: query.sort, order: query.order };
      const search = { emailPrefix: q || undefined };
      let users: User[];
      let previous: string | null = null;
      let next: string | null = null;
      if (query.before !== undefined) {
        // Back a page: the same list read the other way from the first row shown, turned round.
        const from = decodeUserCursor(query.before, order);
        if (!from) throw notACursor();
        const back = await listUsers(
          core,
          { ...flip(order), ...search },
          { limit: PAGE_SIZE, from },
        );
        users = back.items.reverse();
        const first = users[0];
        previous =
          back.next && first ? encodeUserCursor(order, positionOfUser(order, first)) : null;
        next = encodeUserCursor(order, from);
      } else {
        const from = query.after === undefined ? undefined : decodeUserCursor(query.after, order);
        if (from === null) throw notACursor();
        const page = await listUsers(core, { ...order, ...search }, { limit: PAGE_SIZE, from });
        users = page.items;
        next = nextUserCursor(order, page);
        const first = users[0];
        previous = from && first ? encodeUserCursor(order, positionOfUser(order, first)) : null;
      }
      return view(
        shell.t.admin.users.title,
        <UsersView
          shell={shell}
          q={q}
          order={order}
          users={users}
          previous={previous}
          next={next}
        />,
      );
    },
  }),
];
