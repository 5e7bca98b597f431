import { browserSupportsWebAuthn, startAuthentication } from '@simplewebauthn/browser';
import { postJson, say } from './_api.js';

/**
 * The challenge page's passkey: options for the login challenge's user
 * (POST /auth/mfa/webauthn/options), the browser's prompt, then
 * POST /auth/mfa/verify, which sets the session cookie; the page then goes
 * where `data-return-to` says (checked by the server).
 */
const root = document.querySelector<HTMLElement>('[data-passkey-second-factor]');

async function verify(element: HTMLElement): Promise<void> {
  const status = element.querySelector('[data-status]');
  const challenge = element.dataset.challenge ?? '';
  const failed = element.dataset.failed ?? '';
  const options = await postJson('/auth/mfa/webauthn/options', { challenge });
  if (!options.ok) {
    say(status, failed);
    return;
  }
  try {
    const assertion = await startAuthentication({
      optionsJSON: options.body.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
    const verified = await postJson('/auth/mfa/verify', {
      challenge,
      method: 'webauthn',
      assertion,
    });
    if (verified.ok) {
      window.location.assign(element.dataset.returnTo ?? '/account');
      return;
    }
    say(status, failed);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') return;
    say(status, failed);
  }
}

if (root && browserSupportsWebAuthn()) {
  root.hidden = false;
  root.querySelector('button')?.addEventListener('click', () => {
    void verify(root);
  });
}
