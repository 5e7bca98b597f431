import { parsePolicy } from '@gatehouse/authz';
import {
  createVerifier,
  isNarrowed,
  isVerifyError,
  permissionCheck,
  roleCheck,
  type TokenCheck,
  type VerifiedAccessToken,
} from '@gatehouse/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeKey, mint, NOW_MILLISECONDS, type TestKey } from './helpers.js';
import { POLICY_YAML } from './permission.cases.js';

/** The framework-neutral checks behind requirePermission and requireRole. */
const policy = parsePolicy(POLICY_YAML, 'policy.yaml');
let key: TestKey;
let verify: (claims: Record<string, unknown>) => Promise<VerifiedAccessToken>;

beforeAll(async () => {
  key = await makeKey('EdDSA');
  // acceptRestricted lets a restricted token through the verifier: the checks must still refuse it.
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [key.publicJwk] },
    acceptRestricted: true,
    now: () => NOW_MILLISECONDS,
  });
  verify = async (claims) => verifier.verify(await mint(key, claims));
});

/** The VerifyError a check throws, as `code:reason`, or `passed`. */
function outcome(check: TokenCheck, token: VerifiedAccessToken): string {
  try {
    check(token);
    return 'passed';
  } catch (error) {
    if (!isVerifyError(error)) throw error;
    return `${error.code}:${error.reason}`;
  }
}

describe('permissionCheck and roleCheck', () => {
  it('refuses a session limited to enrolling a second factor, whatever its roles', async () => {
    const restricted = await verify({
      roles: ['admin'],
      scope: undefined,
      restriction: 'mfa_enrollment',
    });
    expect(outcome(permissionCheck('posts:read', policy), restricted)).toBe(
      'forbidden:restricted_session',
    );
    expect(outcome(roleCheck('admin', policy), restricted)).toBe('forbidden:restricted_session');
    expect(outcome(roleCheck('admin'), restricted)).toBe('forbidden:restricted_session');
  });

  it('tells narrowed tokens from login tokens', async () => {
    expect(isNarrowed(await verify({ scope: undefined }))).toBe(false);
    expect(isNarrowed(await verify({ scope: 'posts:read' }))).toBe(true);
    expect(isNarrowed(await verify({ scope: undefined, client_id: 'app' }))).toBe(true);
  });

  it('names why it refused: scope first, as the engine decides, then roles', async () => {
    const check = permissionCheck('posts:write', policy);
    const reader = await verify({ roles: ['reader'], scope: 'posts:read' });
    expect(outcome(check, reader)).toBe('insufficient_scope:scope_missing');
    const readerAll = await verify({ roles: ['reader'], scope: 'posts:write' });
    expect(outcome(check, readerAll)).toBe('forbidden:permission_not_granted');
    const editor = await verify({ roles: ['editor'], scope: 'posts:write' });
    expect(outcome(check, editor)).toBe('passed');
  });

  it('counts every role that inherits the required one, and matches names exactly', async () => {
    const check = roleCheck('reader', policy);
    for (const roles of [['reader'], ['editor'], ['admin']]) {
      expect(outcome(check, await verify({ roles, scope: undefined }))).toBe('passed');
    }
    expect(outcome(check, await verify({ roles: ['Reader'], scope: undefined }))).toBe(
      'forbidden:role_missing',
    );
  });

  it('refuses a policy-shaped value that is not a loaded policy', () => {
    const fake = { permissions: {}, roles: {} } as unknown as typeof policy;
    expect(() => permissionCheck('posts:read', fake)).toThrow(/loaded policy/);
    expect(() => roleCheck('admin', fake)).toThrow(/loaded policy/);
  });
});
