import { describe, expect, it } from 'vitest';
import { httpFailureFor, verifyStatus } from '../../packages/verify/src/http-failure.js';
import { VerifyError, type VerifyErrorCode } from '../../packages/verify/src/verify-error.js';
import { problemCatalog } from '../../src/http/problem.js';

const verifyCodes = Object.keys(verifyStatus) as VerifyErrorCode[];
/** What gatehouse/verify actually answers for a code. */
const answered = (code: VerifyErrorCode) =>
  httpFailureFor(new VerifyError(code, 'test'), 'api', ['x:read']).status;

// The server's problem catalogue and gatehouse/verify answer the same clients:
// a code that appears in both must mean one thing with one status.
describe('error codes', () => {
  it('have one status across the server and gatehouse/verify', () => {
    const server: Record<string, { status: number }> = problemCatalog;
    expect(verifyCodes).toContain('invalid_token');
    for (const code of verifyCodes) {
      expect(answered(code), code).toBe(verifyStatus[code]);
      if (code in server) expect(server[code]?.status, code).toBe(answered(code));
    }
  });

  it('are snake_case with an error status in the server catalogue', () => {
    for (const [code, { status }] of Object.entries(problemCatalog)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(status, code).toBeGreaterThanOrEqual(400);
    }
  });
});
