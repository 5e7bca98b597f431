import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import type { JsonObject } from './answers.js';
import type { GatehouseClient } from './client.js';
import { GatehouseError } from './errors.js';
import type { SignedIn, SignInResult } from './types.js';

/**
 * Passkey ceremonies over @simplewebauthn/browser. Functions of their own,
 * not client methods, so an app that never imports them bundles no WebAuthn code.
 */

export interface Passkey {
  id: string;
  name: string;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

function optionsAt<T>(body: JsonObject): T {
  const options = body.options;
  if (typeof options === 'object' && options !== null && 'challenge' in options)
    return options as T;
  throw new GatehouseError('unexpected_response', {
    status: 200,
    detail: 'The answer has no options',
  });
}

/** The browser's part (the user cancelled, no authenticator, a timeout) as `passkey_failed`, cause attached. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    const detail = cause instanceof Error ? cause.name : 'The passkey ceremony failed';
    throw new GatehouseError('passkey_failed', { status: 0, detail }, { cause });
  }
}

/**
 * Sign in with a passkey alone (no email typed). `useBrowserAutofill`: wait for
 * the user to pick one in an `<input autocomplete="username webauthn">` instead.
 */
export async function signInWithPasskey(
  client: GatehouseClient,
  options: { useBrowserAutofill?: boolean } = {},
): Promise<SignInResult> {
  const answer = await client.api('/auth/passkeys/login/options', { method: 'POST' });
  const response = await ceremony(() =>
    startAuthentication({
      optionsJSON: optionsAt<PublicKeyCredentialRequestOptionsJSON>(answer),
      useBrowserAutofill: options.useBrowserAutofill ?? false,
    }),
  );
  return client.signInWith('/auth/passkeys/login/verify', { response });
}

/** The second step of a sign-in with one of the account's passkeys. */
export async function verifySecondFactorWithPasskey(
  client: GatehouseClient,
  challenge: string,
): Promise<SignedIn> {
  const answer = await client.api('/auth/mfa/webauthn/options', { body: { challenge } });
  const assertion = await ceremony(() =>
    startAuthentication({ optionsJSON: optionsAt<PublicKeyCredentialRequestOptionsJSON>(answer) }),
  );
  return client.verifySecondFactor({ challenge, method: 'webauthn', assertion });
}

/**
 * Adds a passkey to the signed-in account. Gatehouse wants a login of the last
 * 10 minutes for it: an older one fails with `step_up_required`.
 */
export async function registerPasskey(
  client: GatehouseClient,
  options: { name?: string } = {},
): Promise<Passkey> {
  const answer = await client.api('/auth/passkeys/register/options', { method: 'POST' });
  const response = await ceremony(() =>
    startRegistration({ optionsJSON: optionsAt<PublicKeyCredentialCreationOptionsJSON>(answer) }),
  );
  const body = options.name === undefined ? { response } : { response, name: options.name };
  const created = await client.api('/auth/passkeys/register/verify', { body });
  return created.passkey as Passkey;
}
