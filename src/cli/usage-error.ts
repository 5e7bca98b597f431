import { AuthError } from '../errors.js';

/** A mistake in a command's arguments: one line on stderr and exit 1, as errorLine prints an AuthError. */
export const usageError = (message: string): AuthError => new AuthError('invalid_request', message);
