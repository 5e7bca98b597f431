import type { Client, default as Provider } from 'oidc-provider';
import { onGrantsEnded } from '../authn/tokens/ended-grants.js';
import type { Core } from '../core.js';
import type { GrantHolder } from '../store/repositories/oauth-grant-sessions.js';

/** The Client method oidc-provider's own end-session uses (untyped in @types/oidc-provider). */
type LoggingOut = Client & {
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
};

/**
 * Back-channel logout for what ends on Gatehouse's side (a logout, a session
 * revoked from another device, a password change, a ban): every app that
 * held a grant ended by it, and registered a back-channel logout URI, gets a
 * logout token for the user, as after an RP-initiated logout. Sent in the
 * background after the commit; an app that does not answer is logged, not retried.
 * The token names the user (`sub`), not a provider session (`sid`): the
 * revocation ended Gatehouse sessions, not one browser's provider session.
 */
export function sendBackchannelLogouts(core: Core, current: () => Promise<Provider>): void {
  onGrantsEnded(core, (ended) => {
    core.background.run('back-channel logout', () => notify(core, current, ended));
  });
}

async function notify(
  core: Core,
  current: () => Promise<Provider>,
  ended: readonly GrantHolder[],
): Promise<void> {
  const provider = await current();
  const seen = new Set<string>();
  await Promise.all(
    ended.map(async ({ clientId, userId }) => {
      const key = `${clientId} ${userId}`;
      if (seen.has(key)) return;
      seen.add(key);
      const client = await provider.Client.find(clientId);
      if (!client?.metadata().backchannel_logout_uri) return;
      await (client as LoggingOut).backchannelLogout(userId, undefined).catch((error: unknown) => {
        core.logger.warn({ err: error, clientId }, 'openid provider: back-channel logout failed');
      });
    }),
  );
}
