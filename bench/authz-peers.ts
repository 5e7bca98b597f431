/**
 * The demo policy written for casbin (RBAC model + ABAC matcher via eval and
 * custom functions) and for CASL (one ability per user), so the bench can run
 * the same decisions through all three engines.
 */
import { createMongoAbility, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { newEnforcer, newModelFromString } from 'casbin';
import { isWithin } from '../packages/authz/src/environment.js';
import type { Policy } from '../src/authz/policy-types.js';
import type { ResourceInput } from '../src/authz/resource.js';
import type { Principal } from '../src/principal.js';
import type { Request } from './authz-data.js';

export type Runner = (index: number) => boolean;
const DOC_PERMISSIONS = ['read', 'write', 'share'];

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act, env

[policy_definition]
p = cond, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.act == p.act && eval(p.cond)
`;

const permissionsOf = (resource: ResourceInput, userId: string): string[] =>
  (resource.acl ?? [])
    .filter((g) => g.subjectType === 'user' && g.subjectId === userId)
    .flatMap((g) => g.permissions ?? []);

const inBusinessHours = (policy: Policy, now: Date): boolean => {
  const schedule = policy.schedules.get('business_hours');
  return schedule !== undefined && isWithin(schedule, schedule.clock.at(now));
};

export async function casbinRunner(
  policy: Policy,
  users: readonly Principal[],
  requests: readonly Request[],
  now: Date,
): Promise<Runner> {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  await enforcer.addFunction('aclHas', (obj: ResourceInput, userId: string, permission: string) =>
    permissionsOf(obj, userId).includes(permission),
  );
  await enforcer.addFunction(
    'aclNamed',
    (obj: ResourceInput, userId: string) => permissionsOf(obj, userId).length > 0,
  );
  await enforcer.addFunction('inHours', (env: { now: Date }) => inBusinessHours(policy, env.now));
  await enforcer.addFunction(
    'outsideCategories',
    (sub: { editCategories?: string[] }, obj: { category?: string }) =>
      sub.editCategories !== undefined && !sub.editCategories.includes(obj.category ?? ''),
  );
  const rows: string[][] = [];
  for (const role of policy.roles.values()) {
    const inherited = new Set(
      role.inherits.flatMap((parent) => [...(policy.roles.get(parent)?.permissions ?? [])]),
    );
    for (const permission of role.permissions) {
      if (!inherited.has(permission))
        rows.push([`g(r.sub.id, "role:${role.name}")`, permission, 'allow']);
    }
    for (const parent of role.inherits)
      await enforcer.addGroupingPolicy(`role:${role.name}`, `role:${parent}`);
  }
  rows.push(['outsideCategories(r.sub, r.obj)', 'posts:update', 'deny']);
  for (const p of DOC_PERMISSIONS) {
    rows.push([`aclHas(r.obj, r.sub.id, "${p}")`, `documents:${p}`, 'allow']);
    rows.push([
      `aclNamed(r.obj, r.sub.id) && !aclHas(r.obj, r.sub.id, "${p}")`,
      `documents:${p}`,
      'deny',
    ]);
    rows.push(['r.obj.ownerId == r.sub.id', `documents:${p}`, 'allow']);
  }
  rows.push([
    'r.sub.department == "engineering" && r.obj.classification == "internal" && inHours(r.env) && r.sub.clearance >= r.obj.requiredClearance',
    'documents:read',
    'allow',
  ]);
  await enforcer.addPolicies(rows);
  await enforcer.addGroupingPolicies(users.map((u) => [u.userId, `role:${u.roles[0] ?? ''}`]));
  const subjects = new Map(users.map((u) => [u.userId, { id: u.userId, ...u.attributes }]));
  const objects = new Map<ResourceInput, Record<string, unknown>>();
  const env = { now };
  const prepared = requests.map((req) => {
    let obj = objects.get(req.resource);
    if (obj === undefined) {
      obj = { ...req.resource, ...req.resource.attributes };
      objects.set(req.resource, obj);
    }
    return [subjects.get(req.principal.userId), obj, req.action, env] as const;
  });
  return (index) => {
    const args = prepared[index];
    return args !== undefined && enforcer.enforceSync(...args);
  };
}

type CaslAbility = MongoAbility<[string, string | Record<string, unknown>]>;

function caslAbility(policy: Policy, user: Principal, now: Date): CaslAbility {
  const rules: RawRuleOf<CaslAbility>[] = [];
  for (const role of user.roles) {
    for (const permission of policy.roles.get(role)?.permissions ?? []) {
      rules.push({ action: permission, subject: permission.split(':')[0] ?? '' });
    }
  }
  const id = user.userId;
  rules.push({
    action: ['documents:read', 'documents:write', 'documents:share'],
    subject: 'documents',
    conditions: { ownerId: id },
  });
  const { department, clearance, editCategories } = user.attributes;
  if (
    department === 'engineering' &&
    typeof clearance === 'number' &&
    inBusinessHours(policy, now)
  ) {
    rules.push({
      action: 'documents:read',
      subject: 'documents',
      conditions: { classification: 'internal', requiredClearance: { $lte: clearance } },
    });
  }
  for (const p of DOC_PERMISSIONS)
    rules.push({
      action: `documents:${p}`,
      subject: 'documents',
      conditions: { [`acl_${p}`]: id },
    });
  if (Array.isArray(editCategories)) {
    rules.push({
      action: 'posts:update',
      subject: 'posts',
      inverted: true,
      conditions: { category: { $nin: editCategories } },
    });
  }
  for (const p of DOC_PERMISSIONS) {
    rules.push({
      action: `documents:${p}`,
      subject: 'documents',
      inverted: true,
      conditions: { acl_named: id, [`acl_${p}`]: { $ne: id } },
    });
  }
  return createMongoAbility<CaslAbility>(rules, {
    detectSubjectType: (object) => (typeof object === 'string' ? object : String(object.type)),
  });
}

export function caslRunner(
  policy: Policy,
  users: readonly Principal[],
  requests: readonly Request[],
  now: Date,
): Runner {
  const abilities = new Map(users.map((u) => [u.userId, caslAbility(policy, u, now)]));
  const objects = new Map<ResourceInput, Record<string, unknown>>();
  const flat = (resource: ResourceInput): Record<string, unknown> => {
    const grants = (resource.acl ?? []).filter((g) => g.subjectType === 'user');
    const holders = (p: string) =>
      grants.filter((g) => g.permissions?.includes(p)).map((g) => g.subjectId);
    return {
      type: resource.type,
      id: resource.id,
      ownerId: resource.ownerId,
      ...resource.attributes,
      acl_read: holders('read'),
      acl_write: holders('write'),
      acl_share: holders('share'),
      acl_named: grants.filter((g) => (g.permissions ?? []).length > 0).map((g) => g.subjectId),
    };
  };
  const prepared = requests.map((req) => {
    let obj = objects.get(req.resource);
    if (obj === undefined) {
      obj = flat(req.resource);
      objects.set(req.resource, obj);
    }
    return { ability: abilities.get(req.principal.userId), action: req.action, obj };
  });
  return (index) => {
    const call = prepared[index];
    return call?.ability?.can(call.action, call.obj) ?? false;
  };
}
