import { z } from 'zod';
import { banUser, replaceRoles, unbanUser } from '../../../authn/admin.js';
import {
  resetUserFactors,
  revokeUserSessions,
  type UserDetail,
  userDetail,
} from '../../../authn/admin-user.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { isAuthError } from '../../../errors.js';
import type { User } from '../../../store/repositories/users.js';
import { type AccessContext, requireOn } from '../../access.js';
import { idParams } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AdminPage, utc } from '../views/admin.js';
import { Actions, Field, FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';
import { refusalOf } from '../views/refusal.js';

const manage = { permission: 'users:manage' } as const;

function RolesForm(props: { shell: Shell; user: User; roles: readonly string[] }) {
  const { shell, user } = props;
  const t = shell.t.admin.user;
  return (
    <Form shell={shell} action={`/admin/user/${user.id}/roles`}>
      <fieldset>
        <legend>{t.rolesLegend}</legend>
        {props.roles.map((role) => (
          <div class="field">
            <label>
              <input
                type="checkbox"
                name={`role_${role}`}
                value="on"
                checked={user.roles.includes(role)}
              />{' '}
              {role}
            </label>
          </div>
        ))}
      </fieldset>
      <Actions>
        <button type="submit">{t.saveRoles}</button>
      </Actions>
    </Form>
  );
}

function UserView(props: {
  shell: Shell;
  detail: UserDetail;
  roles: readonly string[];
  message?: string | undefined;
}) {
  const { shell, detail, roles } = props;
  const { user, sessions, factors } = detail;
  const t = shell.t.admin.user;
  const tu = shell.t.admin.users;
  const base = `/admin/user/${user.id}`;
  return (
    <AdminPage shell={shell}>
      <p>
        <a href="/admin">{t.back}</a>
      </p>
      <h1>{user.email}</h1>
      <FormError shell={shell} message={props.message} />
      <dl>
        <dt>{t.id}</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
        <dt>{tu.roles}</dt>
        <dd>{user.roles.length > 0 ? user.roles.join(', ') : tu.none}</dd>
        <dt>{tu.verified}</dt>
        <dd>{user.emailVerified ? tu.yes : tu.no}</dd>
        <dt>{tu.created}</dt>
        <dd>{utc(user.createdAt)}</dd>
        <dt>{tu.status}</dt>
        <dd>{user.bannedAt === null ? tu.active : t.bannedSince(utc(user.bannedAt))}</dd>
        {user.bannedAt === null ? null : (
          <>
            <dt>{t.reason}</dt>
            <dd>{user.bannedReason || t.noReason}</dd>
          </>
        )}
      </dl>
      <p>
        <a href={`/admin/explain?user=${encodeURIComponent(user.email)}`}>{t.explainFor}</a>
        {' · '}
        <a href={`/admin/events?userId=${encodeURIComponent(user.id)}`}>{t.eventsOf}</a>
      </p>

      <section aria-labelledby="ban-heading">
        <h2 id="ban-heading">{t.banHeading}</h2>
        {user.bannedAt === null ? (
          <Form shell={shell} action={`${base}/ban`}>
            <p class="hint">{t.banHint}</p>
            <Field name="reason" label={t.banReason} maxlength={500} />
            <Actions>
              <button type="submit" class="danger">
                {t.ban}
              </button>
            </Actions>
          </Form>
        ) : (
          <Form shell={shell} action={`${base}/unban`}>
            <Actions>
              <button type="submit">{t.unban}</button>
            </Actions>
          </Form>
        )}
      </section>

      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">{t.rolesHeading}</h2>
        <RolesForm shell={shell} user={user} roles={roles} />
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t.sessionsHeading}</h2>
        {sessions.length === 0 ? (
          <p>{t.noSessions}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t.sessionsCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.device}</th>
                  <th scope="col">{t.ip}</th>
                  <th scope="col">{t.started}</th>
                  <th scope="col">{t.lastSeen}</th>
                  <th scope="col">{t.level}</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session) => (
                  <tr>
                    <td>{session.userAgent ?? t.unknownDevice}</td>
                    <td>{session.ip ?? ''}</td>
                    <td>{utc(session.createdAt)}</td>
                    <td>{utc(session.lastSeenAt)}</td>
                    <td>{session.acr}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Form shell={shell} action={`${base}/revoke-sessions`}>
          <p class="hint">{t.revokeHint}</p>
          <Actions>
            <button type="submit" class="danger">
              {t.revokeSessions}
            </button>
          </Actions>
        </Form>
      </section>

      <section aria-labelledby="factors-heading">
        <h2 id="factors-heading">{t.factorsHeading}</h2>
        {factors.factors.length === 0 ? (
          <p>{t.noFactors}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t.factorsCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.method}</th>
                  <th scope="col">{t.name}</th>
                  <th scope="col">{tu.created}</th>
                  <th scope="col">{t.lastUsed}</th>
                </tr>
              </thead>
              <tbody>
                {factors.factors.map((factor) => (
                  <tr>
                    <td>{t.methods[factor.method] ?? factor.method}</td>
                    <td>{factor.name ?? ''}</td>
                    <td>{utc(factor.createdAt)}</td>
                    <td>{factor.lastUsedAt === null ? t.never : utc(factor.lastUsedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>{t.recoveryCodes(factors.recoveryCodesRemaining)}</p>
        <Form shell={shell} action={`${base}/reset-factors`}>
          <p class="hint">{t.resetHint}</p>
          <Actions>
            <button type="submit" class="danger">
              {t.resetFactors}
            </button>
          </Actions>
        </Form>
      </section>
    </AdminPage>
  );
}

interface DetailContext extends AccessContext {
  shell: Shell;
}

/** The detail page of a user, with a message above it when an action was refused. */
async function detailPage(ctx: DetailContext, id: string, message?: string, status = 200) {
  const detail = await userDetail(ctx.core, id);
  const roles = [...ctx.core.policy.roles.keys()].sort();
  return view(
    ctx.shell.t.admin.user.title(detail.user.email),
    <UserView shell={ctx.shell} detail={detail} roles={roles} message={message} />,
    status,
  );
}

const banForm = z.object({ reason: z.string().max(500).optional() });
// Checkboxes named role_<name>: a form field keeps one value per name.
const rolesForm = z.record(z.string().max(80), z.string().max(10));
const ROLE_FIELD = /^role_([a-z][a-z0-9_-]{0,63})$/;

export const adminUserPages = [
  definePage({
    method: 'GET',
    url: '/admin/user/:id',
    access: manage,
    params: idParams,
    handler: async (ctx) => {
      requireOn(ctx, manage.permission, ctx.params.id);
      return detailPage(ctx, ctx.params.id);
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/user/:id/ban',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    form: banForm,
    handler: async (ctx) => {
      const { core, params, principal, meta, form } = ctx;
      requireOn(ctx, manage.permission, params.id);
      if (!form.ok) return detailPage(ctx, params.id, Object.values(form.errors)[0], 400);
      const reason = form.data.reason?.trim() || undefined;
      try {
        await banUser(core, params.id, { actorId: principal.userId, reason }, meta);
      } catch (error) {
        const refused = refusalOf(error, ['conflict'], ctx.reply);
        return detailPage(ctx, params.id, ctx.shell.t.admin.user.cannotBanYourself, refused.status);
      }
      return redirect(`/admin/user/${params.id}?notice=admin_banned`);
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/user/:id/unban',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      await unbanUser(core, params.id, { actorId: principal.userId }, meta);
      return redirect(`/admin/user/${params.id}?notice=admin_unbanned`);
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/user/:id/roles',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    form: rolesForm,
    handler: async (ctx) => {
      const { core, params, principal, meta, form, shell } = ctx;
      requireOn(ctx, manage.permission, params.id);
      if (!form.ok) return detailPage(ctx, params.id, shell.t.errors.byCode.invalid_request, 400);
      const roles = Object.keys(form.data).flatMap((name) => ROLE_FIELD.exec(name)?.[1] ?? []);
      try {
        await replaceRoles(core, params.id, roles, { actorId: principal.userId }, meta);
      } catch (error) {
        if (isAuthError(error) && error.code === 'unknown_role')
          return detailPage(ctx, params.id, shell.t.errors.byCode.unknown_role, 400);
        throw error;
      }
      return redirect(`/admin/user/${params.id}?notice=admin_roles_saved`);
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/user/:id/revoke-sessions',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      await revokeUserSessions(core, params.id, { actorId: principal.userId }, meta);
      return redirect(`/admin/user/${params.id}?notice=admin_sessions_revoked`);
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/user/:id/reset-factors',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async (ctx) => {
      const { core, params, principal, meta } = ctx;
      requireOn(ctx, manage.permission, params.id);
      try {
        await resetUserFactors(core, params.id, { actorId: principal.userId }, meta);
      } catch (error) {
        // An account without a password keeps its last way in: say so above its factors.
        if (isAuthError(error) && error.code === 'conflict')
          return detailPage(ctx, params.id, ctx.shell.t.admin.user.resetRefused, 409);
        throw error;
      }
      return redirect(`/admin/user/${params.id}?notice=admin_factors_reset`);
    },
  }),
];
