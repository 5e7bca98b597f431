import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import type { RequestMeta } from '../meta.js';
import { verifyPasswordLogin } from './password.js';

export interface Transport {
  /** TLS between the client and us (or a trusted proxy that said so). */
  encrypted: boolean;
  loopback: boolean;
}

const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

export function parseBasic(value: string): { username: string; password: string } | null {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  // RFC 7617: no control characters; a NUL would also reach the email lookup (a 500 on PostgreSQL).
  if (hasControl(decoded)) return null;
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Basic sends the secret itself on every request: only over TLS or loopback, unless explicitly allowed. */
export function assertBasicTransport(core: Core, transport: Transport): void {
  if (transport.encrypted || transport.loopback || core.settings.allowInsecureBasicOverHttp) return;
  throw new AuthError('unauthenticated', 'Basic credentials are refused over plain HTTP.');
}

/**
 * A service account (a user flagged as service) signs in with its email and
 * password, under the same rate limits as a login. Anyone else gets null.
 */
export async function verifyServiceAccount(
  core: Core,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<Principal | null> {
  try {
    const user = await verifyPasswordLogin(core, email, password, meta, 'basic');
    // A refused password or a banned account is counted with its audit event; these two here.
    core.metrics.signIn('basic', user.isService ? 'success' : 'failure');
    if (!user.isService) return null;
    return { userId: user.id, roles: user.roles, attributes: user.attributes, via: 'basic' };
  } catch (error) {
    if (
      error instanceof AuthError &&
      (error.code === 'invalid_credentials' || error.code === 'account_banned')
    )
      return null;
    throw error;
  }
}
