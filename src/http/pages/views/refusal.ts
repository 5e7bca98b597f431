import { type ErrorCode, isAuthError } from '../../../errors.js';
import { problemCatalog } from '../../problem.js';

export interface Refusal {
  status: number;
  code: ErrorCode;
}

/**
 * A refusal the person can act on (a wrong code, a weak password, too many
 * tries): its code and HTTP status, for the form to show. Anything else is
 * thrown on, to the error pages.
 */
export function refusalOf(error: unknown, codes: readonly ErrorCode[]): Refusal {
  if (isAuthError(error) && codes.includes(error.code))
    return { status: problemCatalog[error.code].status, code: error.code };
  throw error;
}
