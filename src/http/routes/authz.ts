import { z } from 'zod';
import { type Check, checkAll } from '../../authz/check.js';
import { type AccessContext, decisionContext } from '../access.js';
import { defineRoute } from '../route.js';
import { nameSchema } from '../schemas.js';

const tags = ['authz'];
const name = nameSchema(128);

export const checkSchema = z.strictObject({
  action: name,
  resource: z.strictObject({
    type: name,
    id: name.optional(),
    ownerId: name.optional(),
    attributes: z
      .record(nameSchema(64, 0), z.union([nameSchema(256, 0), z.number(), z.boolean()]))
      .optional(),
  }),
});

/** The engine's answers for the caller, with the request's clock and IP. */
const decideAll = (ctx: AccessContext, checks: readonly Check[]) =>
  checkAll(
    {
      db: ctx.core.store.db,
      policy: ctx.core.policy,
      principal: ctx.principal,
      environment: decisionContext(ctx.core, ctx.meta),
    },
    checks,
  );

export const authzRoutes = [
  defineRoute({
    method: 'POST',
    url: '/authz/check',
    access: 'authenticated',
    summary: 'May the caller do this action on this resource?',
    tags,
    body: checkSchema,
    handler: async (ctx) => {
      const [decision] = await decideAll(ctx, [ctx.body]);
      return decision;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/authz/check-batch',
    access: 'authenticated',
    summary: 'Up to 100 checks for the caller, answered in order',
    tags,
    body: z.strictObject({ checks: z.array(checkSchema).min(1).max(100) }),
    handler: async (ctx) => ({ results: await decideAll(ctx, ctx.body.checks) }),
  }),
];
