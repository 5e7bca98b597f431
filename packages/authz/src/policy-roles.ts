/** Reads `roles:`, rejects unknown permissions and inheritance cycles, and flattens inheritance. */
import type { PolicySource } from './policy-source.js';
import type { Role } from './policy-types.js';

interface RawRole {
  readonly permissions: readonly string[];
  readonly inherits: readonly string[];
}

export function readRoles(
  src: PolicySource,
  value: unknown,
  permissions: ReadonlySet<string>,
): Map<string, Role> {
  const raw = new Map<string, RawRole>();
  for (const [name, entry] of Object.entries(src.map(['roles'], value))) {
    const path = ['roles', name];
    const role = src.map(path, entry ?? {});
    src.onlyKeys(path, role, ['permissions', 'inherits']);
    const own = src.strings([...path, 'permissions'], role.permissions, false);
    own.forEach((permission, index) => {
      if (!permissions.has(permission)) {
        src.fail([...path, 'permissions', index], `unknown permission '${permission}'`);
      }
    });
    raw.set(name, {
      permissions: own,
      inherits: src.strings([...path, 'inherits'], role.inherits, false),
    });
  }
  for (const [name, role] of raw) {
    role.inherits.forEach((parent, index) => {
      if (!raw.has(parent))
        src.fail(['roles', name, 'inherits', index], `unknown role '${parent}'`);
    });
  }
  rejectCycles(src, raw);
  const roles = new Map<string, Role>();
  for (const [name, role] of raw) {
    roles.set(name, {
      name,
      inherits: role.inherits,
      permissions: new Set(
        ancestry(name, raw).flatMap((member) => raw.get(member)?.permissions ?? []),
      ),
      line: src.lineOf(['roles', name]),
      decision: Object.freeze({ allowed: true, reason: `role:${name}` }),
    });
  }
  return roles;
}

/** The role itself and every role it inherits from, directly or not. */
export function ancestry(
  name: string,
  roles: ReadonlyMap<string, { readonly inherits: readonly string[] }>,
): string[] {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(roles.get(current)?.inherits ?? []));
  }
  return [...seen];
}

function rejectCycles(src: PolicySource, roles: ReadonlyMap<string, RawRole>): void {
  const done = new Set<string>();
  const visit = (name: string, trail: readonly string[]): void => {
    if (done.has(name)) return;
    const start = trail.indexOf(name);
    if (start >= 0) {
      const cycle = [...trail.slice(start), name].join(' → ');
      src.fail(['roles', name, 'inherits'], `inheritance cycle: ${cycle}`);
    }
    for (const parent of roles.get(name)?.inherits ?? []) visit(parent, [...trail, name]);
    done.add(name);
  };
  for (const name of roles.keys()) visit(name, []);
}
