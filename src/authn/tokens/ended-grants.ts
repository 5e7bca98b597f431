import type { Core } from '../../core.js';
import type { GrantHolder } from '../../store/repositories/oauth-grant-sessions.js';

type Listener = (ended: readonly GrantHolder[]) => void;

const listeners = new WeakMap<Core, Listener>();

/**
 * Who hears that a revocation ended provider grants (the OpenID Provider, to
 * tell the apps by back-channel logout). One listener per core; the provider
 * sits above authn, so it subscribes here instead of being called.
 */
export function onGrantsEnded(core: Core, listener: Listener): void {
  listeners.set(core, listener);
}

/** Called after the revocation committed. */
export function grantsEnded(core: Core, ended: readonly GrantHolder[]): void {
  if (ended.length > 0) listeners.get(core)?.(ended);
}
