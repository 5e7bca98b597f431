/** What the engine is asked about: one resource, with its attributes and ACL grants. */
export interface AclGrant {
  readonly subjectType: 'user' | 'group';
  readonly subjectId: string;
  /** Permissions by short name (`read`, `share`), as declared on the resource type. */
  readonly permissions?: readonly string[];
  /** A level declared under the type's `acl.levels` (viewer, editor, owner, …). */
  readonly level?: string;
}

export interface ResourceInput {
  /** The resource type as declared under `resources:` (posts, documents, …). */
  readonly type: string;
  readonly id: string;
  readonly ownerId?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** ACL grants on this resource; absent means none. */
  readonly acl?: readonly AclGrant[];
  /**
   * A question about the type, not one object (a route's permission): an
   * allow rule about one resource cannot grant it, since nothing is known of
   * the resource its condition would read.
   */
  readonly typeLevel?: true;
}
