import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decidePermission, type Principal, parsePolicy } from '@gatehouse/authz';
import { isVerifyError, permissionCheck, type TokenCheck } from '@gatehouse/verify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toVerifiedAccessToken } from '../../../packages/verify/src/verified-access-token.js';

/**
 * One policy, one answer: for every permission a resource server may check (those without deny
 * rules), `requirePermission`'s check on a Gatehouse login token agrees with Gatehouse's own
 * route decision (`decidePermission`) for the principal Gatehouse builds from that token, whatever
 * its roles and scopes.
 */
const policy = parsePolicy(
  readFileSync(join(import.meta.dirname, '../../../examples/policy.yaml'), 'utf8'),
  'examples/policy.yaml',
);
const checkable = [...policy.permissions.values()]
  .filter((entry) => entry.denyRules.length === 0)
  .map((entry) => entry.permission);
const checks = new Map<string, TokenCheck>(
  checkable.map((permission) => [permission, permissionCheck(permission, policy)]),
);
const roleNames = [...policy.roles.keys(), 'unknown-role'];
const now = { now: new Date('2030-01-07T10:00:00Z') };

const passes = (check: TokenCheck, token: ReturnType<typeof toVerifiedAccessToken>): boolean => {
  try {
    check(token);
    return true;
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    return false;
  }
};

describe('requirePermission agrees with the engine', () => {
  it('gives the answer Gatehouse gives its own routes for the same token', () => {
    expect(checkable.length).toBeGreaterThan(5);
    fc.assert(
      fc.property(
        fc.subarray(roleNames),
        fc.option(fc.subarray(checkable), { nil: undefined }),
        fc.constantFrom(...checkable),
        (roles, scopes, permission) => {
          const scope = scopes?.join(' ');
          const token = toVerifiedAccessToken({
            sub: 'u1',
            sid: 's1',
            jti: 'j1',
            iat: 1,
            exp: 2,
            roles,
            ...(scope === undefined ? {} : { scope }),
          });
          // As Gatehouse's authenticate builds it: a non-empty scope narrows the principal.
          const principal: Principal = {
            userId: 'u1',
            roles,
            attributes: {},
            ...(token.scope.length > 0 ? { scopes: token.scope } : {}),
          };
          const check = checks.get(permission) as TokenCheck;
          const engine = decidePermission(policy, principal, permission, now).allowed;
          expect(passes(check, token)).toBe(engine);
        },
      ),
      { numRuns: 500 },
    );
  });
});
