import { decide, parsePolicy } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../packages/authz/src/condition-parse.js';
import type { Principal } from '../../../src/principal.js';
import { user } from './fixtures.js';

describe('parseCondition', () => {
  it('gives and a higher precedence than or, and not binds tightest', () => {
    const expr = parseCondition('not user.a or user.b and user.c');
    expect(expr.kind).toBe('or');
    if (expr.kind !== 'or') return;
    expect(expr.left.kind).toBe('not');
    expect(expr.right.kind).toBe('and');
  });

  it('parses literals, lists, escapes and negative numbers', () => {
    expect(parseCondition(`user.n in [1, -2.5, 3]`)).toMatchObject({
      kind: 'in',
      right: { kind: 'list', items: [{ value: 1 }, { value: -2.5 }, { value: 3 }] },
    });
    expect(parseCondition(`user.s == "say \\"hi\\""`)).toMatchObject({
      right: { value: 'say "hi"' },
    });
    expect(parseCondition(`user.b == false`)).toMatchObject({ right: { value: false } });
  });

  it('rejects what is not in the language', () => {
    for (const bad of [
      'user.a === 1',
      'user.a == "x',
      'process.exit',
      'user.a == 1 1',
      '(user.a',
      'user["a"]',
    ]) {
      expect(() => parseCondition(bad)).toThrow();
    }
  });
});

describe('environment conditions', () => {
  const policy = parsePolicy(`
version: 1
timeZone: America/New_York
user:
  attributes: { tags: "string[]", level: number, active: boolean }
resources:
  files: { actions: [read, write, delete], attributes: { size: number } }
roles: {}
rules:
  - id: office-network
    effect: allow
    actions: [files:read]
    when: env.ip in cidr("10.0.0.0/8") or env.ip in cidr("fd00::/8")
  - id: weekdays-only
    effect: allow
    actions: [files:write]
    when: env.weekday in ["mon", "tue", "wed", "thu", "fri"] and env.hour >= 8 and user.active
  - id: tagged
    effect: allow
    actions: [files:delete]
    when: (has user.tags and "ops" in user.tags) and not (resource.size > 100 or user.level < 2)
`);
  const file = { type: 'files', id: 'f', attributes: { size: 10 } };
  const someone: Principal = user('u', [], { tags: ['ops'], level: 3, active: true });

  it('matches IP ranges, v4 and v6, and never a missing or malformed IP', () => {
    const at = (ip?: string) =>
      decide(policy, someone, 'files:read', file, { now: new Date(0), ...(ip ? { ip } : {}) })
        .allowed;
    expect(at('10.1.2.3')).toBe(true);
    expect(at('11.1.2.3')).toBe(false);
    expect(at('fd00::1')).toBe(true);
    expect(at('not-an-ip')).toBe(false);
    expect(at()).toBe(false);
  });

  it('reads weekday and hour in the policy time zone', () => {
    // 2026-11-17T03:00Z is Monday 22:00 in New York, Tuesday in UTC.
    const write = (iso: string, who = someone) =>
      decide(policy, who, 'files:write', file, { now: new Date(iso) }).allowed;
    expect(write('2026-11-17T03:00:00Z')).toBe(true);
    expect(write('2026-11-17T12:30:00Z')).toBe(false);
    // Saturday 2026-11-21 03:00Z is Friday 22:00 in New York.
    expect(write('2026-11-21T03:00:00Z')).toBe(true);
    expect(write('2026-11-22T03:00:00Z')).toBe(false);
    expect(write('2026-11-17T03:00:00Z', user('u', [], { active: 'yes' }))).toBe(false);
  });

  it('evaluates has, in, not and parentheses', () => {
    const del = (who: Principal, size = 10) =>
      decide(policy, who, 'files:delete', { ...file, attributes: { size } }).allowed;
    expect(del(someone)).toBe(true);
    expect(del(someone, 101)).toBe(false);
    expect(del(user('u', [], { tags: ['dev'], level: 3 }))).toBe(false);
    expect(del(user('u', [], { level: 3 }))).toBe(false);
    expect(del(user('u', [], { tags: ['ops'], level: 1 }))).toBe(false);
  });
});
