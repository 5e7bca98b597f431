/** Reads the declarative sections of a policy: time zone, schedules, user attributes, resource types. */
import type { AttributeType, ScalarType } from './condition-check.js';
import { WEEKDAYS } from './condition-check.js';
import { LocalClock, parseClockTime, type Schedule } from './environment.js';
import type { PolicySource, YamlPath } from './policy-source.js';
import type { ResourceType } from './policy-types.js';

const SCALARS: readonly string[] = ['string', 'number', 'boolean'];
const USER_TYPES: readonly string[] = [...SCALARS, 'string[]', 'number[]'];
const RESERVED_USER = ['id', 'roles'];
const RESERVED_RESOURCE = ['id', 'ownerId', 'type'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readClock(src: PolicySource, path: YamlPath, value: unknown): LocalClock {
  const zone = src.string(path, value);
  try {
    return new LocalClock(zone);
  } catch {
    return src.fail(path, `unknown time zone '${zone}'`);
  }
}

export function readSchedules(
  src: PolicySource,
  value: unknown,
  clock: LocalClock,
): Map<string, Schedule> {
  const schedules = new Map<string, Schedule>();
  for (const [name, raw] of Object.entries(src.map(['schedules'], value, false))) {
    const path = ['schedules', name];
    const entry = src.map(path, raw);
    src.onlyKeys(path, entry, ['timeZone', 'days', 'from', 'to']);
    const days = src.strings([...path, 'days'], entry.days).map((day, index) => {
      const dayIndex = (WEEKDAYS as readonly string[]).indexOf(day);
      if (dayIndex < 0)
        src.fail([...path, 'days', index], `expected one of ${WEEKDAYS.join(', ')}`);
      return dayIndex;
    });
    schedules.set(name, {
      name,
      clock:
        entry.timeZone === undefined
          ? clock
          : readClock(src, [...path, 'timeZone'], entry.timeZone),
      days: new Set(days),
      fromMinutes: readTime(src, [...path, 'from'], entry.from),
      toMinutes: readTime(src, [...path, 'to'], entry.to),
    });
  }
  return schedules;
}

function readTime(src: PolicySource, path: YamlPath, value: unknown): number {
  try {
    return parseClockTime(src.string(path, value));
  } catch (error) {
    return src.fail(path, error instanceof Error ? error.message : 'bad time');
  }
}

export function readUserAttributes(src: PolicySource, value: unknown): Map<string, AttributeType> {
  const section = src.map(['user'], value, false);
  src.onlyKeys(['user'], section, ['attributes']);
  const attributes = readAttributes(
    src,
    ['user', 'attributes'],
    section.attributes,
    USER_TYPES,
    RESERVED_USER,
  );
  return new Map<string, AttributeType>([['id', 'string'], ['roles', 'string[]'], ...attributes]);
}

export function readResourceTypes(src: PolicySource, value: unknown): Map<string, ResourceType> {
  const types = new Map<string, ResourceType>();
  for (const [name, raw] of Object.entries(src.map(['resources'], value))) {
    const path = ['resources', name];
    if (!NAME.test(name)) src.fail(path, `invalid resource type name '${name}'`);
    const entry = src.map(path, raw);
    src.onlyKeys(path, entry, ['actions', 'attributes', 'acl']);
    const actions = new Set(src.strings([...path, 'actions'], entry.actions));
    for (const action of actions) {
      if (!NAME.test(action)) src.fail([...path, 'actions'], `invalid action name '${action}'`);
    }
    const attributes = readAttributes(
      src,
      [...path, 'attributes'],
      entry.attributes,
      SCALARS,
      RESERVED_RESOURCE,
    );
    types.set(name, {
      name,
      actions,
      attributes: new Map(attributes as [string, ScalarType][]),
      aclLevels:
        entry.acl === undefined ? undefined : readAcl(src, [...path, 'acl'], entry.acl, actions),
    });
  }
  return types;
}

function readAcl(
  src: PolicySource,
  path: YamlPath,
  value: unknown,
  actions: ReadonlySet<string>,
): Map<string, readonly string[]> {
  const acl = src.map(path, value);
  src.onlyKeys(path, acl, ['levels']);
  const levels = new Map<string, readonly string[]>();
  for (const [level, raw] of Object.entries(src.map([...path, 'levels'], acl.levels, false))) {
    const permissions = src.strings([...path, 'levels', level], raw);
    permissions.forEach((permission, index) => {
      if (!actions.has(permission)) {
        src.fail(
          [...path, 'levels', level, index],
          `unknown permission '${permission}' for this type`,
        );
      }
    });
    levels.set(level, permissions);
  }
  return levels;
}

function readAttributes(
  src: PolicySource,
  path: YamlPath,
  value: unknown,
  allowed: readonly string[],
  reserved: readonly string[],
): [string, AttributeType][] {
  return Object.entries(src.map(path, value, false)).map(([name, type]) => {
    if (!NAME.test(name) || reserved.includes(name)) {
      src.fail([...path, name], `invalid or reserved attribute name '${name}'`);
    }
    if (typeof type !== 'string' || !allowed.includes(type)) {
      src.fail([...path, name], `unknown attribute type (expected ${allowed.join(', ')})`);
    }
    return [name, type as AttributeType];
  });
}
