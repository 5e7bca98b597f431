import { decide, explain, filter, parsePolicy, type ResourceInput } from '@gatehouse/authz';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import type { Principal } from '../../../src/principal.js';

const NOW = new Date('2026-11-17T10:00:00Z');
const context = { now: NOW };

const policy = parsePolicy(`version: 1
resources:
  vault:
    actions: [open, peek, read, wipe, list]
roles:
  keeper: {}
rules:
  - id: open-when-fresh
    effect: allow
    actions: [vault:open]
    roles: [keeper]
    when: auth.ageSeconds < 300
  - id: peek-at-aal2
    effect: allow
    actions: [vault:peek]
    when: auth.acr == "aal2"
  - id: read-with-password
    effect: allow
    actions: [vault:read]
    when: '"pwd" in auth.amr'
  - id: wipe-fresh-and-strong
    effect: allow
    actions: [vault:wipe]
    when: 120 > auth.ageSeconds and auth.acr == "aal2"
  - id: list-for-all
    effect: allow
    actions: [vault:list]
  - id: no-list-unless-strong
    effect: deny
    actions: [vault:list]
    when: not (auth.acr == "aal2")
`);

const vault: ResourceInput = { type: 'vault', id: '', attributes: {}, typeLevel: true };

const signedIn = (ageSeconds: number, acr: 'aal1' | 'aal2', roles = ['keeper']): Principal => ({
  userId: 'u1',
  roles,
  attributes: {},
  via: 'session',
  amr: acr === 'aal2' ? ['pwd', 'otp'] : ['pwd'],
  acr,
  authTime: NOW.getTime() - ageSeconds * 1000,
});
const apiKey: Principal = { userId: 'u1', roles: ['keeper'], attributes: {}, via: 'api_key' };

const failsToLoad = (when: string) => {
  const text = `version: 1
resources:
  vault: { actions: [open] }
roles: {}
rules:
  - id: r
    effect: allow
    actions: [vault:open]
    when: '${when}'
`;
  try {
    parsePolicy(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).detail;
  }
  throw new Error(`loaded: ${when}`);
};

describe('auth.* in conditions', () => {
  it('is type-checked at load', () => {
    expect(failsToLoad('auth.age < 300')).toMatch(/unknown attribute auth\.age/);
    expect(failsToLoad('auth.ageSeconds == "300"')).toMatch(/cannot compare number with string/);
    expect(failsToLoad('auth.acr == "aal3"')).toMatch(/auth\.acr is one of aal1, aal2/);
    expect(failsToLoad('auth.acr in ["aal2", "AAL2"]')).toMatch(/auth\.acr is one of/);
    expect(failsToLoad('auth.acr > "aal1"')).toMatch(/compares numbers only/);
    expect(failsToLoad('auth.amr == "pwd"')).toMatch(/compares single values/);
  });

  it('auth.ageSeconds counts from the login, on the decision clock', () => {
    expect(decide(policy, signedIn(299, 'aal1'), 'vault:open', vault, context).allowed).toBe(true);
    const stale = decide(policy, signedIn(300, 'aal1'), 'vault:open', vault, context);
    expect(stale).toEqual({
      allowed: false,
      reason: 'default_deny',
      stepUp: { maxAgeSeconds: 300 },
    });
    // Without a clock there is no age: the condition never holds, and no step-up is promised.
    expect(decide(policy, signedIn(0, 'aal1'), 'vault:open', vault)).toEqual({
      allowed: false,
      reason: 'default_deny',
    });
  });

  it('auth.acr and auth.amr read the login', () => {
    expect(decide(policy, signedIn(0, 'aal2'), 'vault:peek', vault, context).allowed).toBe(true);
    expect(decide(policy, signedIn(0, 'aal1'), 'vault:peek', vault, context)).toEqual({
      allowed: false,
      reason: 'default_deny',
      stepUp: { acr: 'aal2' },
    });
    expect(decide(policy, signedIn(0, 'aal1'), 'vault:read', vault, context).allowed).toBe(true);
    // No amr a step-up could promise: a plain denial.
    expect(decide(policy, apiKey, 'vault:read', vault, context)).toEqual({
      allowed: false,
      reason: 'default_deny',
    });
  });

  it('names both when both are missing, and only what is missing', () => {
    const wipe = (p: Principal) => decide(policy, p, 'vault:wipe', vault, context);
    expect(wipe(signedIn(10, 'aal2')).allowed).toBe(true);
    expect(wipe(signedIn(500, 'aal2')).stepUp).toEqual({ maxAgeSeconds: 120 });
    expect(wipe(signedIn(10, 'aal1')).stepUp).toEqual({ acr: 'aal2' });
    expect(wipe(signedIn(500, 'aal1')).stepUp).toEqual({ maxAgeSeconds: 120, acr: 'aal2' });
  });

  it('a deny rule on the login is a step-up too; a missing role is not', () => {
    const list = decide(policy, signedIn(0, 'aal1'), 'vault:list', vault, context);
    expect(list).toEqual({
      allowed: false,
      reason: 'rule:no-list-unless-strong',
      stepUp: { acr: 'aal2' },
    });
    expect(decide(policy, signedIn(0, 'aal2'), 'vault:list', vault, context).allowed).toBe(true);
    const stranger = decide(policy, signedIn(500, 'aal1', []), 'vault:open', vault, context);
    expect(stranger).toEqual({ allowed: false, reason: 'default_deny' });
  });

  it('a credential without a login never passes, and is told a login would', () => {
    expect(decide(policy, apiKey, 'vault:open', vault, context)).toEqual({
      allowed: false,
      reason: 'default_deny',
      stepUp: { maxAgeSeconds: 300 },
    });
    // `not (auth.acr == "aal2")` holds for a key: the deny applies to it.
    expect(decide(policy, apiKey, 'vault:list', vault, context).reason).toBe(
      'rule:no-list-unless-strong',
    );
  });

  it('explain agrees with decide, step-up included', () => {
    const principal = signedIn(500, 'aal1');
    for (const action of ['vault:open', 'vault:peek', 'vault:wipe', 'vault:list', 'vault:read']) {
      const decision = decide(policy, principal, action, vault, context);
      const explained = explain(policy, principal, action, vault, context);
      expect({
        allowed: explained.allowed,
        reason: explained.reason,
        ...(explained.stepUp ? { stepUp: explained.stepUp } : {}),
      }).toEqual(decision);
    }
  });

  it('a list filter evaluates the login away, as decide does', () => {
    expect(filter(policy, signedIn(10, 'aal1'), 'vault:open', 'vault', context)).toEqual({
      kind: 'true',
    });
    expect(filter(policy, signedIn(500, 'aal1'), 'vault:open', 'vault', context)).toEqual({
      kind: 'false',
    });
  });
});
