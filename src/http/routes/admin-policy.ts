import { z } from 'zod';
import { explainForUser, loadedPolicy } from '../../authn/admin-policy.js';
import { decisionContext } from '../access.js';
import { defineRoute } from '../route.js';
import { idSchema, userView } from '../schemas.js';
import { checkSchema } from './authz.js';

const tags = ['admin'];
// Reading the rules and asking what they answer for someone is inspection, as reading the audit log is.
const inspect = { permission: 'audit:read' } as const;

export const adminPolicyRoutes = [
  defineRoute({
    method: 'GET',
    url: '/authz/policy',
    access: inspect,
    summary: 'The loaded policy document, as JSON (`file` is null for the built-in one)',
    tags,
    handler: async ({ core }) => loadedPolicy(core),
  }),
  defineRoute({
    method: 'POST',
    url: '/authz/explain',
    access: inspect,
    summary:
      'What the engine decides for a user on an action and resource, as /authz/check would answer them, and why',
    tags,
    body: checkSchema.extend({
      userId: idSchema,
      login: z
        .strictObject({
          acr: z.enum(['aal1', 'aal2']).optional(),
          ageSeconds: z.number().int().min(0).max(31_536_000).optional(),
        })
        .optional()
        .describe('The sign-in to assume: by default a password sign-in (aal1) just now'),
    }),
    handler: async (ctx) => {
      const { userId, login, ...check } = ctx.body;
      const environment = decisionContext(ctx.core, ctx.meta);
      const answer = await explainForUser(ctx.core, { userId }, check, login ?? {}, environment);
      return { ...answer, user: userView(answer.user) };
    },
  }),
];
