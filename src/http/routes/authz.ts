import { z } from 'zod';
import type { ResourceInput } from '../../authz/resource.js';
import { grantsFor } from '../../store/repositories/acl-grants.js';
import { type AccessContext, decideFor } from '../access.js';
import { defineRoute } from '../route.js';
import { nameSchema } from '../schemas.js';

const tags = ['authz'];
const name = nameSchema(128);

const checkSchema = z.strictObject({
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

type Check = z.output<typeof checkSchema>;

/**
 * Decides each check for the caller. Attributes come from the request (a
 * "what if" question); ACL grants of resources named by id come from the
 * store, one query per resource type.
 */
async function decideAll(ctx: AccessContext, checks: readonly Check[]) {
  const idsByType = new Map<string, string[]>();
  for (const { resource } of checks) {
    if (resource.id === undefined) continue;
    idsByType.set(resource.type, [...(idsByType.get(resource.type) ?? []), resource.id]);
  }
  const grants = new Map(
    await Promise.all(
      [...idsByType].map(
        async ([type, ids]) => [type, await grantsFor(ctx.core.store.db, type, ids)] as const,
      ),
    ),
  );
  return checks.map(({ action, resource }) => {
    const acl = resource.id === undefined ? undefined : grants.get(resource.type)?.get(resource.id);
    const input: ResourceInput = {
      type: resource.type,
      id: resource.id ?? '',
      ...(resource.ownerId === undefined ? {} : { ownerId: resource.ownerId }),
      attributes: resource.attributes ?? {},
      ...(acl === undefined ? {} : { acl }),
    };
    const { allowed, reason } = decideFor(ctx, action, input);
    return { allowed, reason };
  });
}

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
