import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import { postJson, say } from './_api.js';

/**
 * The sign-in page's passkey paths: the "Sign in with a passkey" button and
 * autofill (conditional mediation) on the email field. Both end in
 * POST /auth/passkeys/login/verify, which sets the session cookie; the page
 * then goes where `data-return-to` says (checked by the server). When the
 * account wants a second factor, the answer's challenge is posted in the
 * page's hand-off form, whose page keeps it in an HttpOnly cookie.
 */
const root = document.querySelector<HTMLElement>('[data-passkey-sign-in]');

function handOver(challenge: string): void {
  const form = document.querySelector<HTMLFormElement>('#passkey-handoff');
  const field = form?.querySelector<HTMLInputElement>('input[name="challenge"]');
  if (!form || !field) return;
  field.value = challenge;
  form.submit();
}

async function signIn(useBrowserAutofill: boolean): Promise<void> {
  if (!root) return;
  const status = root.querySelector('[data-status]');
  const options = await postJson('/auth/passkeys/login/options');
  if (!options.ok) {
    if (!useBrowserAutofill) say(status, root.dataset.failed ?? '');
    return;
  }
  try {
    const response = await startAuthentication({
      optionsJSON: options.body.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
      useBrowserAutofill,
    });
    const verified = await postJson('/auth/passkeys/login/verify', { response });
    if (verified.ok && verified.body.mfaRequired === true) {
      handOver(String(verified.body.challenge ?? ''));
      return;
    }
    if (verified.ok) {
      window.location.assign(root.dataset.returnTo ?? '/account');
      return;
    }
    say(status, root.dataset.failed ?? '');
  } catch (error) {
    // A cancelled prompt, or the autofill request given up for the button's: nothing to say.
    if (error instanceof Error && error.name === 'AbortError') return;
    if (error instanceof Error && error.name === 'NotAllowedError' && useBrowserAutofill) return;
    say(status, root.dataset.failed ?? '');
  }
}

if (root && browserSupportsWebAuthn()) {
  const button = root.querySelector<HTMLButtonElement>('button');
  root.hidden = false;
  button?.addEventListener('click', () => {
    WebAuthnAbortService.cancelCeremony();
    void signIn(false);
  });
  void browserSupportsWebAuthnAutofill().then((supported) => {
    if (supported) void signIn(true);
  });
}
