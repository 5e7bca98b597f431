/** Documents shared per user through ACL grants, plus the attribute-guarded (ABAC) kind. */
import { z } from 'zod';
import { normalizeEmail } from '../../../src/authn/meta.js';
import { AuthError } from '../../../src/errors.js';
import { decideFor, requireAccess, requirePermission } from '../../../src/http/access.js';
import { defineRoute } from '../../../src/http/route.js';
import { emailSchema, idParams, nameSchema, textSchema } from '../../../src/http/schemas.js';
import { addGrant } from '../../../src/store/repositories/acl-grants.js';
import { findUserByEmail } from '../../../src/store/repositories/users.js';
import type { Db } from '../../../src/store/schema.js';
import { allowedRows } from '../list-filter.js';
import {
  type Document,
  documentColumns,
  findDocument,
  insertDocument,
  listDocuments,
  updateDocument,
} from '../store/documents.js';

const tags = ['demo'];
const title = nameSchema(200).trim().min(1);
const body = textSchema(100_000);
const SHAREABLE = ['read', 'write', 'share'] as const;

const documentView = (doc: Document) => ({
  id: doc.id,
  ownerId: doc.ownerId,
  title: doc.title,
  body: doc.body,
  classification: doc.classification,
  requiredClearance: doc.requiredClearance,
  createdAt: new Date(doc.createdAt).toISOString(),
  updatedAt: new Date(doc.updatedAt).toISOString(),
});

const load = (db: Db, id: string) => () => findDocument(db, id);

export const documentRoutes = [
  defineRoute({
    method: 'GET',
    url: '/demo/docs',
    access: 'authenticated',
    summary: 'Documents the caller may read (one query: ACL, ownership and attribute rules in SQL)',
    tags,
    handler: async (ctx) => ({
      documents: (
        await listDocuments(
          ctx.core.store.db,
          allowedRows(ctx, 'documents:read', 'documents', documentColumns),
        )
      ).map(documentView),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/demo/docs',
    access: requirePermission('documents:create'),
    summary: 'Create a document; its creator owns it',
    tags,
    successStatus: 201,
    body: z.strictObject({
      title,
      body: body.default(''),
      classification: z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z][a-z0-9-]{0,39}$/)
        .optional(),
      requiredClearance: z.number().int().min(0).max(10).optional(),
    }),
    handler: async (ctx) => {
      const doc = await insertDocument(ctx.core.store.db, {
        ownerId: ctx.principal.userId,
        title: ctx.body.title,
        body: ctx.body.body,
        classification: ctx.body.classification ?? null,
        requiredClearance: ctx.body.requiredClearance ?? null,
        now: ctx.core.clock.now(),
      });
      return { document: documentView(doc) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/demo/docs/:id',
    access: 'authenticated',
    summary: 'Read a document',
    tags,
    params: idParams,
    handler: async (ctx) => {
      const { value } = await requireAccess(
        ctx,
        'documents:read',
        load(ctx.core.store.db, ctx.params.id),
      );
      return { document: documentView(value) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    url: '/demo/docs/:id',
    access: 'authenticated',
    summary: 'Edit a document (needs write)',
    tags,
    params: idParams,
    body: z.strictObject({ title: title.optional(), body: body.optional() }),
    handler: async (ctx) => {
      const { value } = await requireAccess(
        ctx,
        'documents:write',
        load(ctx.core.store.db, ctx.params.id),
      );
      const next = { ...value, ...ctx.body };
      return {
        document: documentView(await updateDocument(ctx.core.store.db, next, ctx.core.clock.now())),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/demo/docs/:id/share',
    access: 'authenticated',
    summary:
      'Grant a user permissions on a document (needs share, only what you hold yourself, never to the owner); 202 whether or not the email has an account',
    tags,
    params: idParams,
    body: z.strictObject({
      email: emailSchema,
      permissions: z.array(z.enum(SHAREABLE)).min(1).max(SHAREABLE.length),
    }),
    successStatus: 202,
    handler: async (ctx) => {
      const { value, resource } = await requireAccess(
        ctx,
        'documents:share',
        load(ctx.core.store.db, ctx.params.id),
      );
      for (const permission of ctx.body.permissions) {
        if (!decideFor(ctx, `documents:${permission}`, resource).allowed) {
          throw new AuthError('forbidden', `You cannot grant '${permission}': you do not hold it.`);
        }
      }
      const user = await findUserByEmail(ctx.core.store.db, normalizeEmail(ctx.body.email));
      if (user !== null && user.id === value.ownerId) {
        throw new AuthError('invalid_request', "The owner's rights come from ownership.");
      }
      if (user !== null) {
        await addGrant(ctx.core.store.db, {
          resourceType: 'documents',
          resourceId: value.id,
          subjectType: 'user',
          subjectId: user.id,
          permissions: ctx.body.permissions,
        });
      }
      // The same answer for an address with or without an account, so sharing
      // cannot be used to find out who has one: it says only what was asked.
      return {
        accepted: true,
        permissions: SHAREABLE.filter((p) => ctx.body.permissions.includes(p)),
      };
    },
  }),
];
