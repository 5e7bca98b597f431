import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { type ApiAnswer, postJson, say } from './_api.js';

/**
 * The security page's "Add a passkey": registration options, the browser's
 * ceremony, then POST /auth/passkeys/register/verify with the chosen name.
 * A stale sign-in (step_up_required) goes to the step-up page and back.
 */
const form = document.querySelector<HTMLFormElement>('form[data-passkey-register]');

const needsStepUp = (answer: ApiAnswer) => answer.body.code === 'step_up_required';

function stepUp(): void {
  window.location.assign(`/reauthenticate?return_to=${encodeURIComponent('/account/security')}`);
}

async function addPasskey(): Promise<void> {
  if (!form) return;
  const status = form.querySelector('[data-status]');
  const failed = form.dataset.failed ?? '';
  const options = await postJson('/auth/passkeys/register/options');
  if (needsStepUp(options)) return stepUp();
  if (!options.ok) return say(status, failed);
  say(status, form.dataset.working ?? '');
  try {
    const response = await startRegistration({
      optionsJSON: options.body.options as Parameters<typeof startRegistration>[0]['optionsJSON'],
    });
    const name = form.querySelector<HTMLInputElement>('input[name="passkeyName"]')?.value.trim();
    const verified = await postJson('/auth/passkeys/register/verify', {
      response,
      ...(name ? { name } : {}),
    });
    if (needsStepUp(verified)) return stepUp();
    if (verified.ok) {
      window.location.assign('/account/security?notice=passkey_added');
      return;
    }
    say(status, failed);
  } catch {
    say(status, failed);
  }
}

if (form && browserSupportsWebAuthn()) {
  form.hidden = false;
  document.querySelector<HTMLElement>('[data-passkey-needs-js]')?.setAttribute('hidden', '');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void addPasskey();
  });
}
