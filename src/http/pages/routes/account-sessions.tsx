import { endOtherSessions, endOwnSession, listOwnSessions } from '../../../authn/sessions.js';
import type { Session } from '../../../store/repositories/sessions.js';
import { idParams } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';
import { Form } from '../views/layout.js';

/** As many as a person could have: the session cap is far below it. */
const SHOWN = 100;

function SessionRow(props: { shell: Shell; session: Session; current: boolean }) {
  const { shell, session, current } = props;
  const t = shell.t.account;
  const device = session.userAgent ?? t.sessions.unknownDevice;
  return (
    <tr class={current ? 'current' : undefined}>
      <td>
        {device}
        {current ? <strong class="badge">{t.sessions.thisSession}</strong> : null}
      </td>
      <td>{session.ip ?? t.sessions.unknownPlace}</td>
      <td>{t.dateTime(session.createdAt)}</td>
      <td>{t.dateTime(session.lastSeenAt)}</td>
      <td>
        {current ? null : (
          <Form shell={shell} action={`/account/sessions/${session.id}/revoke`} class="inline">
            <button type="submit" class="secondary" aria-label={t.sessions.revokeLabel(device)}>
              {t.sessions.revoke}
            </button>
          </Form>
        )}
      </td>
    </tr>
  );
}

function SessionsView(props: { shell: Shell; sessions: Session[]; currentId?: string }) {
  const { shell, sessions } = props;
  const t = shell.t.account.sessions;
  const others = sessions.filter((s) => s.id !== props.currentId).length;
  return (
    <section class="card">
      <h1>{t.heading}</h1>
      <AccountNav shell={shell} />
      <div class="table-wrap">
        <table>
          <caption>{t.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.device}</th>
              <th scope="col">{t.place}</th>
              <th scope="col">{t.created}</th>
              <th scope="col">{t.lastSeen}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <SessionRow
                shell={shell}
                session={session}
                current={session.id === props.currentId}
              />
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 ? (
        <Form shell={shell} action="/account/sessions/revoke-others">
          <button type="submit" class="danger">
            {t.revokeOthers}
          </button>
        </Form>
      ) : (
        <p class="muted">{t.none}</p>
      )}
    </section>
  );
}

export const accountSessionPages = [
  definePage({
    method: 'GET',
    url: '/account/sessions',
    access: 'account',
    handler: async ({ core, principal, shell }) => {
      const page = await listOwnSessions(core, principal, { limit: SHOWN });
      return view(
        shell.t.account.sessions.title,
        <SessionsView shell={shell} sessions={page.items} currentId={principal.sessionId} />,
      );
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/sessions/:id/revoke',
    access: 'account',
    params: idParams,
    // Another user's session is not found, like a missing one (the 404 page).
    handler: async ({ core, principal, params, meta }) => {
      await endOwnSession(core, principal, params.id, meta);
      return redirect('/account/sessions?notice=session_revoked');
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/sessions/revoke-others',
    access: 'account',
    handler: async ({ core, principal, meta }) => {
      await endOtherSessions(core, principal, meta);
      return redirect('/account/sessions?notice=sessions_revoked');
    },
  }),
];
