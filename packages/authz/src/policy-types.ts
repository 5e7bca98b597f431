/** The compiled, immutable form of a policy file: lookup tables built once at load. */

import type { Expr } from './condition-ast.js';
import type { AttributeType, ScalarType } from './condition-check.js';
import type { Predicate } from './condition-eval.js';
import type { LocalClock, Schedule } from './environment.js';
import type { StepUpDemand } from './step-up-demand.js';

/** The answer to one authorization question; `reason` is short and stable (`rule:<id>`, `role:<name>`, `default_deny`). */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
  /**
   * On a denial that a more recent or stronger login would turn into an
   * allow (a rule's `auth.*` condition failed): what that login needs.
   * A route answers it with 401 `step_up_required`, not 403.
   */
  readonly stepUp?: StepUpDemand;
}

export interface ResourceType {
  readonly name: string;
  /** Short action names (`read`); the permission is `<type>:<action>`. */
  readonly actions: ReadonlySet<string>;
  readonly attributes: ReadonlyMap<string, ScalarType>;
  /** ACL levels → short permissions; undefined when the type takes no grants. */
  readonly aclLevels: ReadonlyMap<string, readonly string[]> | undefined;
}

export interface Role {
  readonly name: string;
  readonly inherits: readonly string[];
  /** Permissions of the role and every role it inherits from. */
  readonly permissions: ReadonlySet<string>;
  readonly line: number;
  /** The decision this role gives, allocated once. */
  readonly decision: Decision;
}

export interface Rule {
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  readonly actions: readonly string[];
  /** Declared roles; undefined means every principal. */
  readonly roles: readonly string[] | undefined;
  /** Roles that are (or inherit) one of `roles`. */
  readonly memberRoles: ReadonlySet<string> | undefined;
  /** `owner: true` — the resource's ownerId must be the caller's user id. */
  readonly owner: boolean;
  readonly when: Expr | undefined;
  readonly test: Predicate | undefined;
  /** True when the rule is about one resource (`owner: true` or `when` reads `resource.*`). */
  readonly readsResource: boolean;
  /** True when `when` reads the caller's login (`auth.*`). */
  readonly readsAuth: boolean;
  readonly line: number;
  /** The decision this rule gives when it matches, allocated once. */
  readonly decision: Decision;
}

/** Everything a decision about one permission needs, found with one Map lookup. */
export interface PermissionEntry {
  readonly permission: string;
  readonly resourceType: string;
  readonly action: string;
  /** True when the resource type takes ACL grants for this action. */
  readonly aclGoverned: boolean;
  /** Roles (direct or by inheritance) that hold the permission → the decision each gives. */
  readonly grantingRoles: ReadonlyMap<string, Decision>;
  readonly denyRules: readonly Rule[];
  /** Allow rules with `owner: true`: decided before ACL grants, so a grant cannot narrow an owner. */
  readonly ownerRules: readonly Rule[];
  /** The other allow rules, decided after roles. */
  readonly allowRules: readonly Rule[];
  /** Some rule has a condition: only then does a decision build an evaluation scope. */
  readonly hasConditions: boolean;
  /** Some rule reads `auth.*`: only then can a denial be a step-up (see step-up.ts). */
  readonly readsAuth: boolean;
  /** The tightest `auth.ageSeconds < N` among those rules, to name in a step-up demand. */
  readonly maxAuthAgeSeconds: number | undefined;
}

export interface Policy {
  readonly file: string;
  /** The file as it was read (YAML parsed to plain JSON values), for showing it back. */
  readonly document: Readonly<Record<string, unknown>>;
  /** The policy's time zone, used for env.weekday and env.hour. */
  readonly clock: LocalClock;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly userAttributes: ReadonlyMap<string, AttributeType>;
  readonly resourceTypes: ReadonlyMap<string, ResourceType>;
  readonly roles: ReadonlyMap<string, Role>;
  readonly rules: readonly Rule[];
  readonly permissions: ReadonlyMap<string, PermissionEntry>;
}
