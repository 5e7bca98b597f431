import { z } from 'zod';
import { listAuditEvents } from '../../../authn/admin.js';
import { AUDIT_TYPES, type StoredAuditEvent } from '../../../authn/audit.js';
import { cursorParam, encodeCursor } from '../../cursor.js';
import { instantMs } from '../../instant.js';
import { definePage, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AdminPage, utc } from '../views/admin.js';
import { Actions, Field } from '../views/fields.js';

const PAGE_SIZE = 50;

// What a datetime-local field sends (UTC here, as the labels say), or a full ISO instant.
const instant = z.union([z.literal(''), z.iso.datetime({ offset: true, local: true })]).optional();
const toMs = (text: string | undefined) => (text ? instantMs(text) : undefined);

const eventsQuery = z.object({
  userId: z.string().max(64).optional(),
  type: z.union([z.literal(''), z.enum(AUDIT_TYPES)]).optional(),
  outcome: z.enum(['', 'success', 'failure']).optional(),
  from: instant,
  to: instant,
  before: cursorParam('numeric').optional(),
});

type Filters = Record<'userId' | 'type' | 'outcome' | 'from' | 'to', string>;

const queryOf = (filters: Filters, extra: Record<string, string> = {}) =>
  new URLSearchParams(
    Object.entries({ ...filters, ...extra }).filter(([, value]) => value !== ''),
  ).toString();

function Select(props: {
  name: string;
  label: string;
  value: string;
  options: ReadonlyArray<readonly [string, string]>;
}) {
  const id = `field-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function EventsView(props: {
  shell: Shell;
  filters: Filters;
  events: StoredAuditEvent[];
  next: string | null;
  paged: boolean;
}) {
  const { shell, filters, events } = props;
  const t = shell.t.admin.events;
  const filtered = queryOf(filters);
  return (
    <AdminPage shell={shell}>
      <h1>{t.title}</h1>
      <form method="get" action="/admin/events">
        <fieldset>
          <legend>{t.filters}</legend>
          <div class="filters">
            <Field name="userId" label={t.userId} value={filters.userId} maxlength={64} />
            <Select
              name="type"
              label={t.type}
              value={filters.type}
              options={[['', t.any], ...AUDIT_TYPES.map((type) => [type, type] as const)]}
            />
            <Select
              name="outcome"
              label={t.outcome}
              value={filters.outcome}
              options={[
                ['', t.any],
                ['success', t.success],
                ['failure', t.failure],
              ]}
            />
            <Field name="from" label={t.from} type="datetime-local" value={filters.from} />
            <Field name="to" label={t.to} type="datetime-local" value={filters.to} />
          </div>
          <Actions>
            <button type="submit">{t.apply}</button>
            <a href="/admin/events">{t.clear}</a>
          </Actions>
        </fieldset>
      </form>
      <p>
        <a href={`/admin/audit.csv${filtered ? `?${filtered}` : ''}`} download="audit.csv">
          {t.csv}
        </a>
      </p>
      {events.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.at}</th>
                <th scope="col">{t.type}</th>
                <th scope="col">{t.outcome}</th>
                <th scope="col">{t.user}</th>
                <th scope="col">{t.ip}</th>
                <th scope="col">{t.userAgent}</th>
                <th scope="col">{t.detail}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr>
                  <td>{utc(event.at)}</td>
                  <td>{event.type}</td>
                  <td>{event.outcome === 'success' ? t.success : t.failure}</td>
                  <td>
                    {event.userId ? (
                      <a href={`/admin/user/${encodeURIComponent(event.userId)}`}>
                        <code>{event.userId}</code>
                      </a>
                    ) : null}
                  </td>
                  <td>{event.ip ?? ''}</td>
                  <td>{event.userAgent ?? ''}</td>
                  <td>
                    <code>{JSON.stringify(event.detail ?? {})}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label={t.pages}>
        <ul class="pager">
          {props.paged ? (
            <li>
              <a href={`/admin/events${filtered ? `?${filtered}` : ''}`}>{t.newest}</a>
            </li>
          ) : null}
          {props.next ? (
            <li>
              <a href={`/admin/events?${queryOf(filters, { before: props.next })}`} rel="next">
                {t.older}
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
    </AdminPage>
  );
}

export const adminEventPages = [
  definePage({
    method: 'GET',
    url: '/admin/events',
    access: { permission: 'audit:read' },
    query: eventsQuery,
    handler: async ({ core, shell, query }) => {
      const filters: Filters = {
        userId: query.userId?.trim() ?? '',
        type: query.type ?? '',
        outcome: query.outcome ?? '',
        from: query.from ?? '',
        to: query.to ?? '',
      };
      const page = await listAuditEvents(
        core,
        {
          userId: filters.userId || undefined,
          type: filters.type || undefined,
          outcome: query.outcome || undefined,
          from: toMs(query.from),
          to: toMs(query.to),
        },
        { limit: PAGE_SIZE, from: query.before },
      );
      return view(
        shell.t.admin.events.title,
        <EventsView
          shell={shell}
          filters={filters}
          events={page.items}
          next={page.next ? encodeCursor(page.next) : null}
          paged={query.before !== undefined}
        />,
      );
    },
  }),
];
