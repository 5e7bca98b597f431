import { z } from 'zod';
import { explainForUser, loadedPolicy, type UserExplanation } from '../../../authn/admin-policy.js';
import type { Check } from '../../../authz/check.js';
import type { Policy } from '../../../authz/policy-types.js';
import { isAuthError } from '../../../errors.js';
import { decisionContext } from '../../access.js';
import { definePage, view } from '../page.js';
import type { Shell } from '../shell.js';
import { AdminPage } from '../views/admin.js';
import { Actions, Field, FormError, TextArea } from '../views/fields.js';

const inspect = { permission: 'audit:read' } as const;

function PolicyView(props: { shell: Shell; file: string | null; json: string }) {
  const t = props.shell.t.admin.policy;
  return (
    <AdminPage shell={props.shell}>
      <h1>{t.title}</h1>
      <p>{props.file === null ? t.builtIn : t.file(props.file)}</p>
      <p class="muted">{t.readOnly}</p>
      <pre>
        <code>{props.json}</code>
      </pre>
    </AdminPage>
  );
}

const explainQuery = z.object({
  user: z.string().max(254).optional(),
  action: z.string().max(128).optional(),
  resourceId: z.string().max(128).optional(),
  ownerId: z.string().max(128).optional(),
  attributes: z.string().max(2000).optional(),
  acr: z.enum(['aal1', 'aal2']).optional(),
  age: z.union([z.literal(''), z.coerce.number().int().min(0).max(31_536_000)]).optional(),
});
type ExplainQuery = z.output<typeof explainQuery>;

/** `name=value` lines as the resource's attributes, typed as the policy declares them; null if a line is not one. */
function attributesOf(
  policy: Policy,
  type: string,
  text: string,
): Record<string, string | number | boolean> | null {
  const declared = policy.resourceTypes.get(type)?.attributes;
  const attributes: Record<string, string | number | boolean> = {};
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '') continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]{0,63})\s*=\s*(.*)$/.exec(line);
    if (!match?.[1]) return null;
    const [, name, value = ''] = match;
    const kind = declared?.get(name);
    attributes[name] =
      kind === 'number' ? Number(value) : kind === 'boolean' ? value === 'true' : value;
  }
  return attributes;
}

function ExplainView(props: {
  shell: Shell;
  query: ExplainQuery;
  actions: readonly string[];
  answer?: UserExplanation | undefined;
  message?: string | undefined;
  errors?: Record<string, string>;
}) {
  const { shell, query, answer } = props;
  const t = shell.t.admin.explain;
  const id = 'field-action';
  const acrId = 'field-acr';
  return (
    <AdminPage shell={shell}>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      <FormError shell={shell} message={props.message} />
      <form method="get" action="/admin/explain">
        <Field
          name="user"
          label={t.user}
          value={query.user}
          required
          error={props.errors?.user}
          maxlength={254}
        />
        <div class="field">
          <label for={id}>{t.action}</label>
          <select id={id} name="action" required>
            {props.actions.map((action) => (
              <option value={action} selected={action === query.action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <Field name="resourceId" label={t.resourceId} value={query.resourceId} maxlength={128} />
        <Field name="ownerId" label={t.ownerId} value={query.ownerId} maxlength={128} />
        <TextArea
          name="attributes"
          label={t.attributes}
          error={props.errors?.attributes}
          value={query.attributes}
        />
        <div class="field">
          <label for={acrId}>{t.acr}</label>
          <select id={acrId} name="acr">
            {(['aal1', 'aal2'] as const).map((acr) => (
              <option value={acr} selected={acr === (query.acr ?? 'aal1')}>
                {t.acrOptions[acr]}
              </option>
            ))}
          </select>
        </div>
        <Field
          name="age"
          label={t.age}
          type="number"
          inputmode="numeric"
          value={query.age === undefined ? '0' : String(query.age)}
        />
        <Actions>
          <button type="submit">{t.submit}</button>
        </Actions>
      </form>
      {answer ? <Answer shell={shell} answer={answer} /> : null}
    </AdminPage>
  );
}

function Answer(props: { shell: Shell; answer: UserExplanation }) {
  const t = props.shell.t.admin.explain;
  const { decision, explanation } = props.answer;
  const decided = explanation.decidedBy;
  return (
    <section aria-labelledby="answer-heading">
      <h2 id="answer-heading">{t.result}</h2>
      <p role="status">
        <strong>{decision.allowed ? t.allowed : t.denied}</strong> · {t.reason(decision.reason)}
      </p>
      {decision.stepUp ? <p>{t.stepUp}</p> : null}
      {decided ? <p>{t.decidedBy(`${decided.source} ${decided.id}`)}</p> : null}
      {explanation.considered.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption>{t.consideredCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.source}</th>
                <th scope="col">{t.id}</th>
                <th scope="col">{t.effect}</th>
                <th scope="col">{t.outcome}</th>
                <th scope="col">{t.line}</th>
              </tr>
            </thead>
            <tbody>
              {explanation.considered.map((step) => (
                <tr>
                  <td>{step.source}</td>
                  <td>{step.id}</td>
                  <td>{step.effect}</td>
                  <td>{step.outcome}</td>
                  <td>{step.line ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export const adminPolicyPages = [
  definePage({
    method: 'GET',
    url: '/admin/policy',
    access: inspect,
    handler: async ({ core, shell }) => {
      const { file, document } = loadedPolicy(core);
      return view(
        shell.t.admin.policy.title,
        <PolicyView shell={shell} file={file} json={JSON.stringify(document, null, 2)} />,
      );
    },
  }),
  // A question that changes nothing: a GET form, so an answer can be linked to.
  definePage({
    method: 'GET',
    url: '/admin/explain',
    access: inspect,
    query: explainQuery,
    handler: async (ctx) => {
      const { core, shell, query } = ctx;
      const t = shell.t.admin.explain;
      const actions = [...core.policy.permissions.keys()].sort();
      const page = (status: number, extra: Partial<Parameters<typeof ExplainView>[0]> = {}) =>
        view(
          t.title,
          <ExplainView shell={shell} query={query} actions={actions} {...extra} />,
          status,
        );
      const who = query.user?.trim();
      const entry = query.action ? core.policy.permissions.get(query.action) : undefined;
      if (!who || !entry) return page(200);
      const attributes = attributesOf(core.policy, entry.resourceType, query.attributes ?? '');
      if (attributes === null) return page(400, { errors: { attributes: t.badAttribute } });
      const check: Check = {
        action: entry.permission,
        resource: {
          type: entry.resourceType,
          ...(query.resourceId ? { id: query.resourceId } : {}),
          ...(query.ownerId ? { ownerId: query.ownerId } : {}),
          ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        },
      };
      const login = { acr: query.acr, ageSeconds: query.age === '' ? undefined : query.age };
      try {
        const answer = await explainForUser(
          core,
          who.includes('@') ? { email: who } : { userId: who },
          check,
          login,
          decisionContext(core, ctx.meta),
        );
        return page(200, { answer });
      } catch (error) {
        if (isAuthError(error) && error.code === 'not_found')
          return page(404, { errors: { user: t.noUser } });
        throw error;
      }
    },
  }),
];
