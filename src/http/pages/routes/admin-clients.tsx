import { z } from 'zod';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { isAuthError } from '../../../errors.js';
import { parseClientJwks } from '../../../provider/client-jwks.js';
import {
  type ClientGrant,
  type ClientSummary,
  type CreatedClient,
  createClient,
  deleteClient,
  findClient,
  listClients,
  type NewClient,
} from '../../../provider/clients.js';
import { idParams, nameSchema, textSchema } from '../../schemas.js';
import { definePage, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AdminPage } from '../views/admin.js';
import { Actions, Field, FormError, TextArea } from '../views/fields.js';
import { Form } from '../views/layout.js';

// The admin console's permission, as on the users' pages.
const manage = { permission: 'users:manage' } as const;
const GRANTS: readonly ClientGrant[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
];
const DEFAULT_GRANTS: readonly ClientGrant[] = ['authorization_code', 'refresh_token'];

const checkbox = z.literal('on').optional();
const createForm = z.object({
  name: nameSchema(200),
  type: z.enum(['confidential', 'public']).default('confidential'),
  redirect_uris: textSchema(8000).optional(),
  grant_authorization_code: checkbox,
  grant_refresh_token: checkbox,
  grant_client_credentials: checkbox,
  scope: z.string().max(1000).optional(),
  trusted: checkbox,
  post_logout_redirect_uris: textSchema(8000).optional(),
  backchannel_logout_uri: z.string().max(2000).optional(),
  jwks: textSchema(20_000).optional(),
});
type CreateForm = z.output<typeof createForm>;

const lines = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
const blankToUndefined = (text: string | undefined) => text?.trim() || undefined;

function newClientOf(form: CreateForm): NewClient {
  const grants = GRANTS.filter((grant) => form[`grant_${grant}`] === 'on');
  const scope = blankToUndefined(form.scope);
  const backchannel = blankToUndefined(form.backchannel_logout_uri);
  const jwks = blankToUndefined(form.jwks);
  return {
    name: form.name,
    redirectUris: lines(form.redirect_uris),
    public: form.type === 'public',
    grants: grants.length > 0 ? grants : DEFAULT_GRANTS,
    trusted: form.trusted === 'on',
    postLogoutRedirectUris: lines(form.post_logout_redirect_uris),
    ...(scope === undefined ? {} : { scope }),
    ...(backchannel === undefined ? {} : { backchannelLogoutUri: backchannel }),
    ...(jwks === undefined ? {} : { jwks: parseClientJwks(jwks, 'The public keys field') }),
  };
}

function typeOf(shell: Shell, client: ClientSummary): string {
  const t = shell.t.admin.clients;
  if (client.public) return t.public;
  return client.tokenEndpointAuthMethod === 'private_key_jwt' ? t.keys : t.confidential;
}

function ClientRow(props: { shell: Shell; client: ClientSummary }) {
  const { shell, client } = props;
  const t = shell.t.admin.clients;
  return (
    <tr>
      <td>{client.name}</td>
      <td>
        <code>{client.clientId}</code>
      </td>
      <td>{typeOf(shell, client)}</td>
      <td>{client.trusted ? t.yes : t.no}</td>
      <td>
        {client.redirectUris.map((uri) => (
          <div>
            <code>{uri}</code>
          </div>
        ))}
      </td>
      <td>{client.grants.join(', ')}</td>
      <td>
        <a
          href={`/admin/clients/${client.clientId}/delete`}
          aria-label={t.deleteLabel(client.name)}
        >
          {t.delete}
        </a>
      </td>
    </tr>
  );
}

function Checkbox(props: { name: string; label: string; checked: boolean }) {
  return (
    <div class="field">
      <label>
        <input type="checkbox" name={props.name} value="on" checked={props.checked} /> {props.label}
      </label>
    </div>
  );
}

function CreateClientForm(props: {
  shell: Shell;
  raw?: Record<string, string> | undefined;
  errors?: Record<string, string> | undefined;
}) {
  const { shell, raw, errors } = props;
  const t = shell.t.admin.clients;
  // A fresh form starts as the usual web app; a refilled one as it was sent.
  const checked = (name: string, fresh: boolean) => (raw ? raw[name] === 'on' : fresh);
  const type = raw?.type === 'public' ? 'public' : 'confidential';
  return (
    <Form shell={shell} action="/admin/clients">
      <Field
        name="name"
        label={t.newName}
        hint={t.newNameHint}
        maxlength={200}
        value={raw?.name}
        error={errors?.name}
        autocomplete="off"
        required
      />
      <fieldset>
        <legend>{t.typeLegend}</legend>
        {(['confidential', 'public'] as const).map((value) => (
          <div class="field">
            <label>
              <input type="radio" name="type" value={value} checked={type === value} />{' '}
              {value === 'public' ? t.typePublic : t.typeConfidential}
            </label>
          </div>
        ))}
      </fieldset>
      <TextArea
        name="redirect_uris"
        label={t.redirectUrisLabel}
        hint={t.redirectUrisHint}
        value={raw?.redirect_uris}
      />
      <fieldset>
        <legend>{t.grantsLegend}</legend>
        {GRANTS.map((grant) => (
          <Checkbox
            name={`grant_${grant}`}
            label={t.grantNames[grant] ?? grant}
            checked={checked(`grant_${grant}`, DEFAULT_GRANTS.includes(grant))}
          />
        ))}
      </fieldset>
      <Field
        name="scope"
        label={t.scope}
        hint={t.scopeHint}
        value={raw?.scope}
        maxlength={1000}
        autocomplete="off"
      />
      <Checkbox name="trusted" label={t.trustedLabel} checked={checked('trusted', false)} />
      <TextArea
        name="post_logout_redirect_uris"
        label={t.postLogout}
        value={raw?.post_logout_redirect_uris}
      />
      <Field
        name="backchannel_logout_uri"
        label={t.backchannel}
        value={raw?.backchannel_logout_uri}
        maxlength={2000}
        autocomplete="off"
      />
      <TextArea name="jwks" label={t.jwks} hint={t.jwksHint} value={raw?.jwks} rows={4} />
      <Actions>
        <button type="submit">{t.create}</button>
      </Actions>
    </Form>
  );
}

function ClientsView(props: {
  shell: Shell;
  clients: ClientSummary[];
  message?: string | undefined;
  raw?: Record<string, string> | undefined;
  errors?: Record<string, string> | undefined;
}) {
  const { shell, clients } = props;
  const t = shell.t.admin.clients;
  return (
    <AdminPage shell={shell}>
      <h1>{t.title}</h1>
      <p class="hint">{t.intro}</p>
      {clients.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.clientId}</th>
                <th scope="col">{t.type}</th>
                <th scope="col">{t.trusted}</th>
                <th scope="col">{t.redirectUris}</th>
                <th scope="col">{t.grants}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <ClientRow shell={shell} client={client} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="create-heading">
        <h2 id="create-heading">{t.createHeading}</h2>
        <FormError shell={shell} message={props.message} />
        <CreateClientForm shell={shell} raw={props.raw} errors={props.errors} />
      </section>
    </AdminPage>
  );
}

function CreatedView(props: { shell: Shell; name: string; created: CreatedClient }) {
  const { shell, created } = props;
  const t = shell.t.admin.clients;
  return (
    <AdminPage shell={shell}>
      <h1>{t.createdTitle}</h1>
      <p>{props.name}</p>
      <dl>
        <dt>{t.clientId}</dt>
        <dd>
          <code>{created.client_id}</code>
        </dd>
      </dl>
      {created.client_secret === undefined ? (
        <p>{t.noSecret}</p>
      ) : (
        <>
          <p class="notice">{t.shownOnce}</p>
          <p>
            <strong>{t.secretLabel}</strong>
          </p>
          <p class="secret" data-client-secret="">
            {created.client_secret}
          </p>
        </>
      )}
      <p>
        <a href="/admin/clients">{t.done}</a>
      </p>
    </AdminPage>
  );
}

function DeleteView(props: { shell: Shell; client: ClientSummary }) {
  const { shell, client } = props;
  const t = shell.t.admin.clients;
  return (
    <AdminPage shell={shell}>
      <h1>{t.deleteTitle(client.name)}</h1>
      <p>
        <code>{client.clientId}</code>
      </p>
      <p class="hint">{t.deleteWarning}</p>
      <Form shell={shell} action={`/admin/clients/${client.clientId}/delete`}>
        <Actions>
          <button type="submit" class="danger">
            {t.confirmDelete}
          </button>
          <a href="/admin/clients">{t.cancel}</a>
        </Actions>
      </Form>
    </AdminPage>
  );
}

export const adminClientPages = [
  definePage({
    method: 'GET',
    url: '/admin/clients',
    access: manage,
    handler: async ({ core, shell }) =>
      view(
        shell.t.admin.clients.title,
        <ClientsView shell={shell} clients={await listClients(core)} />,
      ),
  }),
  definePage({
    method: 'POST',
    url: '/admin/clients',
    access: manage,
    stepUp: RECENT_LOGIN,
    form: createForm,
    handler: async ({ core, shell, form, principal, meta }) => {
      const t = shell.t.admin.clients;
      const again = async (message: string | undefined, errors?: Record<string, string>) =>
        view(
          t.title,
          <ClientsView
            shell={shell}
            clients={await listClients(core)}
            message={message}
            raw={form.raw}
            errors={errors}
          />,
          400,
        );
      if (!form.ok) return again(shell.t.errors.byCode.invalid_request, form.errors);
      let created: CreatedClient;
      try {
        created = await createClient(core, newClientOf(form.data), {
          actorId: principal.userId,
          meta,
        });
      } catch (error) {
        // The core says what is wrong with the app's metadata (a plain-http redirect URI, …).
        if (isAuthError(error) && error.code === 'invalid_request')
          return again(t.refused(error.message));
        throw error;
      }
      // The secret is in this answer only: the list never shows it again.
      return view(
        t.createdTitle,
        <CreatedView shell={shell} name={form.data.name} created={created} />,
      );
    },
  }),
  definePage({
    method: 'GET',
    url: '/admin/clients/:id/delete',
    access: manage,
    params: idParams,
    handler: async ({ core, shell, params }) => {
      const client = await findClient(core, params.id);
      return view(
        shell.t.admin.clients.deleteTitle(client.name),
        <DeleteView shell={shell} client={client} />,
      );
    },
  }),
  definePage({
    method: 'POST',
    url: '/admin/clients/:id/delete',
    access: manage,
    stepUp: RECENT_LOGIN,
    params: idParams,
    handler: async ({ core, params, principal, meta }) => {
      await deleteClient(core, params.id, { actorId: principal.userId, meta });
      return redirect('/admin/clients?notice=admin_client_deleted');
    },
  }),
];
