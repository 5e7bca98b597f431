import { z } from 'zod';
import { startUpstream } from '../../../authn/federation/oidc-flow.js';
import { listOidcProviders } from '../../../authn/federation/oidc-providers.js';
import {
  type Identity,
  listIdentities,
  unlinkIdentity,
} from '../../../authn/federation/upstream-sign-in.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { isAuthError } from '../../../errors.js';
import { idParams } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';
import { FormError } from '../views/fields.js';
import { Form } from '../views/layout.js';
import { callbackUrl, setBinding } from './oidc.js';

/** The account's identities at upstream providers: listed, linked (a round trip there), unlinked. */

function LinkedView(props: {
  shell: Shell;
  identities: Identity[];
  providers: ReadonlyArray<{ id: string; name: string }>;
  message?: string;
}) {
  const { shell, identities, providers } = props;
  const t = shell.t.account.linked;
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  return (
    <section class="card">
      <h1>{t.heading}</h1>
      <AccountNav shell={shell} />
      <FormError shell={shell} message={props.message} />
      <p class="hint">{t.intro}</p>
      {identities.length === 0 ? (
        <p class="muted">{t.none}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>{t.heading}</caption>
            <thead>
              <tr>
                <th scope="col">{t.provider}</th>
                <th scope="col">{t.email}</th>
                <th scope="col">{t.since}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {identities.map((identity) => (
                <tr>
                  <td>{nameOf(identity.provider)}</td>
                  <td>{identity.email ?? ''}</td>
                  <td>{shell.t.account.date(identity.createdAt)}</td>
                  <td>
                    <Form
                      shell={shell}
                      action={`/account/linked-accounts/${identity.id}/unlink`}
                      class="inline"
                    >
                      <button
                        type="submit"
                        class="danger"
                        aria-label={t.unlinkLabel(nameOf(identity.provider))}
                      >
                        {t.unlink}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t.linkHeading}</h2>
      {providers.length === 0 ? (
        <p class="muted">{t.noProviders}</p>
      ) : (
        <ul class="providers-list">
          {providers.map((provider) => (
            <li>
              <Form shell={shell} action="/account/linked-accounts/link" class="inline">
                <input type="hidden" name="provider" value={provider.id} />
                <button type="submit" class="secondary">
                  {t.link(provider.name)}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const linkForm = z.object({ provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });

export const accountLinkedPages = [
  definePage({
    method: 'GET',
    url: '/account/linked-accounts',
    access: 'account',
    handler: async ({ core, principal, shell }) =>
      view(
        shell.t.account.linked.title,
        <LinkedView
          shell={shell}
          identities={await listIdentities(core, principal.userId)}
          providers={await listOidcProviders(core)}
        />,
      ),
  }),
  definePage({
    method: 'POST',
    url: '/account/linked-accounts/link',
    access: 'account',
    // A new way into the account, as adding a factor: a recent sign-in first.
    stepUp: RECENT_LOGIN,
    form: linkForm,
    handler: async ({ core, request, reply, principal, form }) => {
      if (!form.ok) return redirect('/account/linked-accounts');
      const started = await startUpstream(core, form.data.provider, {
        redirectUri: callbackUrl(core, request, form.data.provider),
        returnTo: '/account/linked-accounts',
        intent: 'link',
        linkUserId: principal.userId,
      });
      setBinding(core, reply, started.browserBinding);
      // The provider's authorization URL, built from its configured endpoint: not user input.
      return redirect(started.url);
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/linked-accounts/:id/unlink',
    access: 'account',
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async ({ core, principal, shell, params, meta }) => {
      try {
        await unlinkIdentity(core, principal.userId, params.id, meta);
      } catch (error) {
        if (!isAuthError(error) || error.code !== 'conflict') throw error;
        return view(
          shell.t.account.linked.title,
          <LinkedView
            shell={shell}
            identities={await listIdentities(core, principal.userId)}
            providers={await listOidcProviders(core)}
            message={shell.t.account.linked.lastWayIn}
          />,
          409,
        );
      }
      return redirect('/account/linked-accounts?notice=identity_unlinked');
    },
  }),
];
