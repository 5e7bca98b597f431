/**
 * `@gatehouse/authz`: Gatehouse's authorization engine, importable without the
 * server. Load a YAML policy (validated completely, errors name file and
 * line), decide RBAC, ABAC, ACL and ownership questions, explain a decision,
 * and turn a list query into one filter condition. Depends on yaml alone.
 */

export type { AclOutcome } from './acl.js';
export type { CompareOp, LiteralValue } from './condition-ast.js';
export { decide, type TraceStep } from './decide.js';
export type { DecisionContext } from './environment.js';
export { type Explanation, explain } from './explain.js';
export { filter } from './filter.js';
export type { AclSubjects, FilterCondition } from './filter-condition.js';
export { decidePermission, typeLevelResource } from './permission-check.js';
export { PolicyError } from './policy-error.js';
export { loadPolicy, parsePolicy } from './policy-load.js';
export type {
  Decision,
  PermissionEntry,
  Policy,
  ResourceType,
  Role,
  Rule,
} from './policy-types.js';
export type { Acr, Principal } from './principal.js';
export type { AclGrant, ResourceInput } from './resource.js';
export type { StepUpDemand } from './step-up-demand.js';
