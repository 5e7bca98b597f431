import type { Settings } from '../../config/schema.js';
import { AuthError, ConfigError } from '../../errors.js';

/** Who the passkeys belong to: the site (RP ID), where ceremonies may run (origins) and its name. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
  challengeLifetimeSeconds: number;
}

const belongsTo = (host: string, rpId: string) => host === rpId || host.endsWith(`.${rpId}`);

/**
 * The relying party from the settings: `webauthn.rpId` and `webauthn.origins`,
 * each defaulting to what `publicUrl` gives (its host, its origin). Null when
 * neither says (development without GATEHOUSE_PUBLIC_URL): passkeys are off.
 * An origin outside the RP ID is a ConfigError, so the server does not start.
 */
export function relyingPartyOf(settings: Settings): RelyingParty | null {
  const { webauthn, publicUrl } = settings;
  const base = publicUrl === undefined ? undefined : new URL(publicUrl);
  const id = webauthn.rpId ?? base?.hostname;
  const origins =
    webauthn.origins?.map((origin) => new URL(origin).origin) ?? (base ? [base.origin] : undefined);
  if (id === undefined || origins === undefined) return null;
  for (const origin of origins) {
    if (!belongsTo(new URL(origin).hostname, id))
      throw new ConfigError('webauthn.origins', `${origin} is not on the RP ID ${id}`);
  }
  return {
    id,
    name: webauthn.rpName,
    origins,
    challengeLifetimeSeconds: webauthn.challengeLifetimeSeconds,
  };
}

/** The relying party, or 404 when passkeys are not configured on this server. */
export function relyingParty(settings: Settings): RelyingParty {
  const rp = relyingPartyOf(settings);
  if (!rp)
    throw new AuthError(
      'not_found',
      'Passkeys are not configured on this server (set GATEHOUSE_PUBLIC_URL, or webauthn.rpId and webauthn.origins).',
    );
  return rp;
}
