import type { ErrorCode } from '../../errors.js';
import type { AnyRoute } from '../route.js';

/**
 * The problems the pipeline of register-routes.ts can answer on this route,
 * read off its declaration, plus those its handler declares (`problems`):
 * - declared input (body, path, query) → 400 `invalid_request`;
 * - a non-public route → 401 `unauthenticated`, and 403 `mfa_enrollment_required`
 *   unless it is open during enrolment; `forbidden` for a credential the access
 *   refuses (a key on an account route, a missing permission);
 * - a step-up demand, or a permission (a policy rule may demand one) → 401 `step_up_required`;
 * - an unsafe method → 403 `csrf_failed` (another site's request; a cookie without the token);
 * - an id in the path → 404 `not_found`;
 * - every route → 503 `unavailable` (authenticating a credential reads storage).
 */
export function problemCodes(route: AnyRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  const access = route.access;
  if (route.body || route.params || route.query) codes.add('invalid_request');
  if (access !== 'public') {
    codes.add('unauthenticated');
    if (!route.duringEnrollment) codes.add('mfa_enrollment_required');
    if (access !== 'authenticated') codes.add('forbidden');
    if (route.stepUp || typeof access === 'object') codes.add('step_up_required');
  }
  if (route.method !== 'GET') codes.add('csrf_failed');
  if (route.params) codes.add('not_found');
  for (const code of route.problems ?? []) codes.add(code);
  codes.add('unavailable');
  return [...codes];
}
