/**
 * Loads a YAML policy file, validates it completely and compiles it into
 * lookup tables. Any problem throws a PolicyError naming file and line, so a
 * server refuses to start on a policy it cannot trust.
 */
import { readFile } from 'node:fs/promises';
import { tightestAuthAge } from './auth-age.js';
import { readRoles } from './policy-roles.js';
import { readRules } from './policy-rules.js';
import {
  readClock,
  readResourceTypes,
  readSchedules,
  readUserAttributes,
} from './policy-schema.js';
import { PolicySource } from './policy-source.js';
import type { PermissionEntry, Policy, ResourceType, Role, Rule } from './policy-types.js';

const TOP_LEVEL_KEYS = ['version', 'timeZone', 'schedules', 'user', 'resources', 'roles', 'rules'];

export async function loadPolicy(file: string): Promise<Policy> {
  return parsePolicy(await readFile(file, 'utf8'), file);
}

export function parsePolicy(text: string, file = '<policy>'): Policy {
  const src = new PolicySource(file, text);
  const root = src.map([], src.root);
  src.onlyKeys([], root, TOP_LEVEL_KEYS);
  if (root.version !== 1) src.fail(['version'], 'expected version: 1');
  const clock = readClock(src, ['timeZone'], root.timeZone ?? 'UTC');
  const schedules = readSchedules(src, root.schedules, clock);
  const userAttributes = readUserAttributes(src, root.user);
  const resourceTypes = readResourceTypes(src, root.resources);
  const roles = readRoles(src, root.roles, new Set(permissionsOf(resourceTypes).keys()));
  const rules = readRules(src, root.rules, { roles, userAttributes, resourceTypes, schedules });
  return {
    file,
    document: root,
    clock,
    schedules,
    userAttributes,
    resourceTypes,
    roles,
    rules,
    permissions: indexPermissions(resourceTypes, roles, rules),
  };
}

function permissionsOf(
  types: ReadonlyMap<string, ResourceType>,
): Map<string, [ResourceType, string]> {
  const permissions = new Map<string, [ResourceType, string]>();
  for (const type of types.values()) {
    for (const action of type.actions) permissions.set(`${type.name}:${action}`, [type, action]);
  }
  return permissions;
}

function indexPermissions(
  types: ReadonlyMap<string, ResourceType>,
  roles: ReadonlyMap<string, Role>,
  rules: readonly Rule[],
): Map<string, PermissionEntry> {
  const index = new Map<string, PermissionEntry>();
  for (const [permission, [type, action]] of permissionsOf(types)) {
    const applicable = rules.filter((rule) => rule.actions.includes(permission));
    index.set(permission, {
      permission,
      resourceType: type.name,
      action,
      aclGoverned: type.aclLevels !== undefined,
      grantingRoles: new Map(
        [...roles.values()]
          .filter((role) => role.permissions.has(permission))
          .map((role) => [role.name, role.decision]),
      ),
      denyRules: applicable.filter((rule) => rule.effect === 'deny'),
      ownerRules: applicable.filter((rule) => rule.effect === 'allow' && rule.owner),
      allowRules: applicable.filter((rule) => rule.effect === 'allow' && !rule.owner),
      hasConditions: applicable.some((rule) => rule.test !== undefined),
      readsAuth: applicable.some((rule) => rule.readsAuth),
      maxAuthAgeSeconds: tightestAuthAge(applicable),
    });
  }
  return index;
}
