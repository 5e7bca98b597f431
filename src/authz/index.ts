/** Authorization: one engine for RBAC, ABAC and ACL, with explanations and list filtering. */

export { decide, type TraceStep } from './decide.js';
export type { DecisionContext } from './environment.js';
export { type Explanation, explain } from './explain.js';
export { filter } from './filter.js';
export type { AclSubjects, FilterCondition } from './filter-condition.js';
export { type KyselyFilterOptions, toKyselyWhere } from './filter-kysely.js';
export { loadPolicy, parsePolicy } from './policy-load.js';
export type {
  Decision,
  PermissionEntry,
  Policy,
  ResourceType,
  Role,
  Rule,
} from './policy-types.js';
export type { AclGrant, ResourceInput } from './resource.js';
