import { AuthError } from '../errors.js';
import type { NewClient } from './clients.js';

// The private members of a JWK: a client registers its public keys only.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * The public keys of a `private_key_jwt` client, from a JWKS as an operator
 * pastes or files it. `where` names it in the error (a file, a form field).
 */
export function parseClientJwks(text: string, where: string): NonNullable<NewClient['jwks']> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuthError('invalid_request', `${where} is not JSON`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    keys.length > 20 ||
    !keys.every((k) => typeof k === 'object' && k !== null && typeof k.kty === 'string')
  )
    throw new AuthError(
      'invalid_request',
      `${where} is not a JWKS ({"keys":[…]} with 1 to 20 keys, each with a kty)`,
    );
  const records = keys as Record<string, unknown>[];
  if (records.some((key) => PRIVATE_MEMBERS.some((member) => member in key)))
    throw new AuthError(
      'invalid_request',
      `${where} holds a private or symmetric key: give public keys only`,
    );
  return { keys: records };
}
