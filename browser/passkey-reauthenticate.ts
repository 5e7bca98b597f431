import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { postJson, say } from './_api.js';

/**
 * The step-up page's passkey: options for the signed-in user, the browser's
 * ceremony, then POST /auth/reauthenticate (which renews the session cookie);
 * then on to `data-return-to` (checked by the server).
 */
const root = document.querySelector<HTMLElement>('[data-passkey-reauth]');

async function reauthenticate(): Promise<void> {
  if (!root) return;
  const status = root.querySelector('[data-status]');
  const failed = root.dataset.failed ?? '';
  const options = await postJson('/auth/passkeys/reauthenticate/options');
  if (!options.ok) return say(status, failed);
  try {
    const assertion = await startAuthentication({
      optionsJSON: options.body.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
    const done = await postJson('/auth/reauthenticate', { method: 'webauthn', assertion });
    if (done.ok) {
      window.location.assign(root.dataset.returnTo ?? '/account');
      return;
    }
    say(status, failed);
  } catch {
    say(status, failed);
  }
}

if (root && browserSupportsWebAuthn()) {
  root.hidden = false;
  root.querySelector('button')?.addEventListener('click', () => {
    void reauthenticate();
  });
}
