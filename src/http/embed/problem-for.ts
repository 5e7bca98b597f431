import { isAuthError } from '../../errors.js';
import { type Problem, problem } from '../problem.js';

/**
 * The problem document (status, code, title, detail) Gatehouse's API would answer for an
 * error getSession threw; null for anything else, which is a bug to let through as a 500.
 */
export const problemFor = (error: unknown): Problem | null =>
  isAuthError(error) ? problem(error.code, error.message) : null;
