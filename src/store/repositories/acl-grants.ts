/**
 * Per-resource ACL grants. Read from the database on every decision, so a
 * share made on one instance applies on the next request to any instance.
 */
import type { Db } from '../schema.js';

/** A stored grant as the policy engine reads it (its `AclGrant`). */
export interface StoredGrant {
  readonly subjectType: 'user' | 'group';
  readonly subjectId: string;
  readonly permissions: readonly string[];
}

export interface GrantTarget {
  resourceType: string;
  resourceId: string;
}

export interface NewGrant extends GrantTarget {
  subjectType: 'user' | 'group';
  subjectId: string;
  /** Short permissions (`read`, `write`, `share`). */
  permissions: readonly string[];
}

/** The grants on many resources of one type in one query, keyed by resource id. */
export async function grantsFor(
  db: Db,
  resourceType: string,
  resourceIds: readonly string[],
): Promise<Map<string, StoredGrant[]>> {
  const byResource = new Map<string, StoredGrant[]>();
  if (resourceIds.length === 0) return byResource;
  const rows = await db
    .selectFrom('acl_grants')
    .selectAll()
    .where('resource_type', '=', resourceType)
    .where('resource_id', 'in', [...new Set(resourceIds)])
    .orderBy('subject_type')
    .orderBy('subject_id')
    .orderBy('permission')
    .execute();
  const bySubject = new Map<
    string,
    { subjectType: 'user' | 'group'; subjectId: string; permissions: string[] }
  >();
  for (const row of rows) {
    const key = `${row.resource_id}\u0000${row.subject_type}\u0000${row.subject_id}`;
    let grant = bySubject.get(key);
    if (grant === undefined) {
      grant = { subjectType: row.subject_type, subjectId: row.subject_id, permissions: [] };
      bySubject.set(key, grant);
      const list = byResource.get(row.resource_id) ?? [];
      list.push(grant);
      byResource.set(row.resource_id, list);
    }
    grant.permissions.push(row.permission);
  }
  return byResource;
}

export async function grantsOn(db: Db, target: GrantTarget): Promise<StoredGrant[]> {
  return (
    (await grantsFor(db, target.resourceType, [target.resourceId])).get(target.resourceId) ?? []
  );
}

/** Adds permissions to a subject's grant on a resource; permissions it already holds are kept once. */
export async function addGrant(db: Db, grant: NewGrant): Promise<void> {
  const unique = [...new Set(grant.permissions)];
  if (unique.length === 0) return;
  await db
    .insertInto('acl_grants')
    .values(
      unique.map((permission) => ({
        resource_type: grant.resourceType,
        resource_id: grant.resourceId,
        subject_type: grant.subjectType,
        subject_id: grant.subjectId,
        permission,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Removes every grant made to this user (no foreign key: subjects are users or groups). */
export async function deleteGrantsToUser(db: Db, userId: string): Promise<void> {
  await db
    .deleteFrom('acl_grants')
    .where('subject_type', '=', 'user')
    .where('subject_id', '=', userId)
    .execute();
}
