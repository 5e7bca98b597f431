/** Repository of the shared documents of the demo; their ACL grants live in `acl_grants`. */
import { randomUUID } from 'node:crypto';
import type { Expression, SqlBool } from 'kysely';
import type { AclGrant, ResourceInput } from '../../../src/authz/resource.js';
import type { Guarded } from '../../../src/http/access.js';
import { grantsOn } from '../../../src/store/repositories/acl-grants.js';
import type { Db } from '../../../src/store/schema.js';
import { type DocumentsTable, demo } from './schema.js';

export interface Document {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  classification: string | null;
  requiredClearance: number | null;
  createdAt: number;
  updatedAt: number;
}

export const documentColumns = {
  id: 'documents.id',
  ownerId: 'documents.owner_id',
  classification: 'documents.classification',
  requiredClearance: 'documents.required_clearance',
};

const toDocument = (row: DocumentsTable): Document => ({
  id: row.id,
  ownerId: row.owner_id,
  title: row.title,
  body: row.body,
  classification: row.classification,
  requiredClearance: row.required_clearance,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A missing attribute stays missing, so rules comparing it are false, as in SQL. */
export const documentResource = (doc: Document, acl: readonly AclGrant[]): ResourceInput => ({
  type: 'documents',
  id: doc.id,
  ownerId: doc.ownerId,
  attributes: {
    ...(doc.classification === null ? {} : { classification: doc.classification }),
    ...(doc.requiredClearance === null ? {} : { requiredClearance: doc.requiredClearance }),
  },
  acl,
});

/** The document with its grants, read fresh so a share applies on the next request. */
export async function findDocument(db: Db, id: string): Promise<Guarded<Document> | null> {
  const row = await demo(db)
    .selectFrom('documents')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return null;
  const doc = toDocument(row);
  const acl = await grantsOn(db, { resourceType: 'documents', resourceId: doc.id });
  return { value: doc, resource: documentResource(doc, acl) };
}

export async function listDocuments(db: Db, where: Expression<SqlBool>): Promise<Document[]> {
  const rows = await demo(db)
    .selectFrom('documents')
    .selectAll()
    .where(where)
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
  return rows.map(toDocument);
}

export interface NewDocument {
  ownerId: string;
  title: string;
  body: string;
  classification: string | null;
  requiredClearance: number | null;
  now: number;
}

export async function insertDocument(db: Db, input: NewDocument): Promise<Document> {
  const row: DocumentsTable = {
    id: randomUUID(),
    owner_id: input.ownerId,
    title: input.title,
    body: input.body,
    classification: input.classification,
    required_clearance: input.requiredClearance,
    created_at: input.now,
    updated_at: input.now,
  };
  await demo(db).insertInto('documents').values(row).execute();
  return toDocument(row);
}

export async function updateDocument(db: Db, doc: Document, now: number): Promise<Document> {
  await demo(db)
    .updateTable('documents')
    .set({ title: doc.title, body: doc.body, updated_at: now })
    .where('id', '=', doc.id)
    .execute();
  return { ...doc, updatedAt: now };
}
