import { z } from 'zod';
import {
  createApiKey,
  listUserApiKeys,
  revokeUserApiKey,
} from '../../authn/credentials/api-key.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import type { ApiKey } from '../../store/repositories/api-keys.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema } from '../schemas.js';

const tags = ['api-keys'];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const keyView = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: `gth_…_${key.id}`,
  scopes: key.scopes,
  createdAt: iso(key.createdAt),
  lastUsedAt: iso(key.lastUsedAt),
  expiresAt: iso(key.expiresAt),
});

export const apiKeyRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/api-keys',
    access: 'session',
    summary: 'Create an API key; the key is in this answer only',
    tags,
    // A long-lived credential outlives the session: minting one needs a recent login.
    stepUp: RECENT_LOGIN,
    successStatus: 201,
    body: z.strictObject({
      name: nameSchema(100),
      scopes: z
        .array(z.string().regex(/^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/))
        .max(50)
        .optional(),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    }),
    handler: async ({ core, principal, body }) => {
      const created = await createApiKey(core, principal.userId, {
        name: body.name,
        scopes: body.scopes,
        heldScopes: principal.scopes,
        expiresAt: body.expiresAt ? Date.parse(body.expiresAt) : undefined,
      });
      return { apiKey: { ...keyView(created), key: created.key } };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/api-keys',
    access: 'account',
    summary: "The caller's live API keys (never the secrets)",
    tags,
    handler: async ({ core, principal }) => ({
      apiKeys: (await listUserApiKeys(core, principal.userId)).map(keyView),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/auth/api-keys/:id',
    access: 'account',
    summary: "Revoke one of the caller's API keys (effective on every instance within a second)",
    tags,
    params: idParams,
    successStatus: 204,
    handler: async ({ core, principal, params }) => {
      await revokeUserApiKey(core, principal.userId, params.id);
      return undefined;
    },
  }),
];
