/**
 * Authorization in the server: the engine is the workspace package
 * @gatehouse/authz (policy loading, decide, explain, filter); what stays here
 * needs the store: ACL grants read from the database (check.ts), list
 * filters as Kysely SQL (filter-kysely.ts), the configured policy file
 * (policy-setup.ts) and the role check before a role is stored (known-roles.ts).
 */

export {
  type AclGrant,
  type AclSubjects,
  type Decision,
  type DecisionContext,
  decide,
  type Explanation,
  explain,
  type FilterCondition,
  filter,
  loadPolicy,
  type PermissionEntry,
  type Policy,
  parsePolicy,
  type ResourceInput,
  type ResourceType,
  type Role,
  type Rule,
  type TraceStep,
} from '@gatehouse/authz';
export { type KyselyFilterOptions, toKyselyWhere } from './filter-kysely.js';
