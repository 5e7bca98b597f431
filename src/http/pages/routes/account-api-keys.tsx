import { z } from 'zod';
import {
  type CreatedApiKey,
  createApiKey,
  listUserApiKeys,
  revokeUserApiKey,
} from '../../../authn/credentials/api-key.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import type { Core } from '../../../core.js';
import type { Principal } from '../../../principal.js';
import type { ApiKey } from '../../../store/repositories/api-keys.js';
import { idParams, nameSchema } from '../../schemas.js';
import { definePage, type PageResult, redirect, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AccountNav } from '../views/account-nav.js';
import { Actions, Field } from '../views/fields.js';
import { Form } from '../views/layout.js';

/** The JSON API's scope shape (`resource:action`), space-separated in one field. */
const SCOPE = /^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/;
const scopesField = z
  .string()
  .max(2000)
  .transform((text) => text.split(/\s+/).filter(Boolean))
  .refine((scopes) => scopes.length <= 50 && scopes.every((s) => SCOPE.test(s)));

const createForm = z.object({ name: nameSchema(100), scopes: scopesField.optional() });

function KeyRow(props: { shell: Shell; apiKey: ApiKey }) {
  const { shell, apiKey } = props;
  const t = shell.t.account;
  return (
    <tr>
      <td>{apiKey.name}</td>
      <td>
        <code>{`gth_…_${apiKey.id}`}</code>
      </td>
      <td>{apiKey.scopes ? apiKey.scopes.join(' ') : t.apiKeys.allScopes}</td>
      <td>{t.dateTime(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt === null ? t.never : t.dateTime(apiKey.lastUsedAt)}</td>
      <td>
        <Form shell={shell} action={`/account/api-keys/${apiKey.id}/revoke`} class="inline">
          <button type="submit" class="danger" aria-label={t.apiKeys.revokeLabel(apiKey.name)}>
            {t.apiKeys.revoke}
          </button>
        </Form>
      </td>
    </tr>
  );
}

function KeysView(props: {
  shell: Shell;
  keys: ApiKey[];
  errors?: Record<string, string>;
  raw?: Record<string, string>;
}) {
  const { shell, keys, errors } = props;
  const t = shell.t.account.apiKeys;
  return (
    <section class="card">
      <h1>{t.heading}</h1>
      <AccountNav shell={shell} />
      <p class="hint">{t.hint}</p>
      {keys.length === 0 ? (
        <p class="muted">{t.none}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>{t.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.prefix}</th>
                <th scope="col">{t.scopes}</th>
                <th scope="col">{t.created}</th>
                <th scope="col">{t.lastUsed}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((apiKey) => (
                <KeyRow shell={shell} apiKey={apiKey} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t.createHeading}</h2>
      <Form shell={shell} action="/account/api-keys">
        <Field
          name="name"
          label={t.newName}
          hint={t.newNameHint}
          maxlength={100}
          value={props.raw?.name}
          error={errors?.name}
          autocomplete="off"
          required
        />
        <Field
          name="scopes"
          label={t.newScopes}
          hint={t.newScopesHint}
          value={props.raw?.scopes}
          error={errors?.scopes ? t.badScopes : undefined}
          autocomplete="off"
        />
        <Actions>
          <button type="submit">{t.create}</button>
        </Actions>
      </Form>
    </section>
  );
}

function CreatedView(props: { shell: Shell; created: CreatedApiKey }) {
  const { shell, created } = props;
  const t = shell.t.account.apiKeys;
  return (
    <section class="card narrow">
      <h1>{t.createdTitle}</h1>
      <p class="notice">{t.shownOnce}</p>
      <p>{created.name}</p>
      <p>
        <strong>{t.keyLabel}</strong>
      </p>
      <p class="secret" data-api-key="">
        {created.key}
      </p>
      <p>
        <a href="/account/api-keys">{t.done}</a>
      </p>
    </section>
  );
}

async function keysPage(
  ctx: { core: Core; principal: Principal; shell: Shell },
  form?: { errors: Record<string, string>; raw: Record<string, string> },
): Promise<PageResult> {
  const keys = await listUserApiKeys(ctx.core, ctx.principal.userId);
  return view(
    ctx.shell.t.account.apiKeys.title,
    <KeysView shell={ctx.shell} keys={keys} errors={form?.errors} raw={form?.raw} />,
    form ? 400 : 200,
  );
}

export const accountApiKeyPages = [
  definePage({
    method: 'GET',
    url: '/account/api-keys',
    access: 'account',
    handler: async (ctx) => keysPage(ctx),
  }),
  definePage({
    method: 'POST',
    url: '/account/api-keys',
    access: 'account',
    // As the JSON API: a long-lived credential outlives the session, so minting one needs a recent sign-in.
    stepUp: RECENT_LOGIN,
    form: createForm,
    handler: async (ctx) => {
      const { core, principal, shell, form } = ctx;
      if (!form.ok) return keysPage(ctx, form);
      const asked = form.data.scopes && form.data.scopes.length > 0 ? form.data.scopes : undefined;
      const created = await createApiKey(core, principal.userId, {
        name: form.data.name,
        scopes: asked,
        heldScopes: principal.scopes,
      });
      // The key is in this answer only: reloading the list shows its prefix, never the key.
      return view(
        shell.t.account.apiKeys.createdTitle,
        <CreatedView shell={shell} created={created} />,
      );
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/api-keys/:id/revoke',
    access: 'account',
    params: idParams,
    // Another user's key is not found (the 404 page), and keeps working for its owner.
    handler: async ({ core, principal, params }) => {
      await revokeUserApiKey(core, principal.userId, params.id);
      return redirect('/account/api-keys?notice=api_key_revoked');
    },
  }),
];
