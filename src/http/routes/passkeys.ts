import { z } from 'zod';
import { currentUser } from '../../authn/current-user.js';
import {
  listUserPasskeys,
  removeUserPasskey,
  renameUserPasskey,
} from '../../authn/passkeys/management.js';
import {
  loginOptions,
  reauthenticationOptions,
  secondFactorOptions,
} from '../../authn/passkeys/options.js';
import { limitPasskeyLoginOptions } from '../../authn/passkeys/options-limit.js';
import { verifyPasskeyLogin } from '../../authn/passkeys/passkey-login.js';
import { registerPasskey, registrationOptions } from '../../authn/passkeys/registration.js';
import { relyingParty } from '../../authn/passkeys/relying-party.js';
import {
  authenticationResponseSchema,
  registrationResponseSchema,
} from '../../authn/passkeys/response-schemas.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import type { Passkey } from '../../store/repositories/passkeys.js';
import { deliverFirstFactor } from '../deliver-login.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema, refreshTokenDeliverySchema, tokenSchema } from '../schemas.js';

const tags = ['passkeys'];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What the account page shows of a passkey: never its key. */
const passkeyView = (passkey: Passkey) => ({
  id: passkey.id,
  name: passkey.name,
  transports: passkey.transports,
  backupEligible: passkey.backupEligible,
  backedUp: passkey.backedUp,
  createdAt: iso(passkey.createdAt),
  lastUsedAt: iso(passkey.lastUsedAt),
});

export const passkeyRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/passkeys/register/options',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary:
      'Options for navigator.credentials.create (a discoverable passkey); challenge lives 5 min',
    tags,
    handler: async ({ core, principal }) => ({
      options: await registrationOptions(
        core,
        relyingParty(core.settings),
        await currentUser(core, principal),
      ),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/passkeys/register/verify',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary: 'Keep the passkey the authenticator created; audited and mailed to the owner',
    tags,
    successStatus: 201,
    body: z.strictObject({
      response: registrationResponseSchema,
      name: nameSchema(100).optional(),
    }),
    handler: async ({ core, principal, body, meta }) => {
      const user = await currentUser(core, principal);
      const passkey = await registerPasskey(core, relyingParty(core.settings), user, body, meta);
      return { passkey: passkeyView(passkey) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/passkeys',
    access: 'account',
    duringEnrollment: true,
    summary: "The caller's passkeys",
    tags,
    handler: async ({ core, principal }) => ({
      passkeys: (await listUserPasskeys(core, principal.userId)).map(passkeyView),
    }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/auth/passkeys/:id',
    access: 'account',
    summary: 'Rename one of the caller’s passkeys',
    tags,
    params: idParams,
    body: z.strictObject({ name: nameSchema(100) }),
    handler: async ({ core, principal, params, body }) => ({
      passkey: passkeyView(await renameUserPasskey(core, principal.userId, params.id, body.name)),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/auth/passkeys/:id',
    access: 'account',
    stepUp: RECENT_LOGIN,
    summary: 'Remove a passkey (never the last way into an account without a password: 409)',
    tags,
    params: idParams,
    successStatus: 204,
    handler: async ({ core, principal, params, meta }) => {
      await removeUserPasskey(core, await currentUser(core, principal), params.id, meta);
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/passkeys/login/options',
    access: 'public',
    summary:
      'Options for signing in with a passkey alone (no email: any passkey of this site); limited per source',
    tags,
    handler: async ({ core, meta }) => {
      const rp = relyingParty(core.settings);
      await limitPasskeyLoginOptions(core, meta.ip);
      return { options: await loginOptions(core, rp) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/passkeys/login/verify',
    access: 'public',
    summary:
      'Sign in with a passkey; answers like POST /auth/login (a challenge when a second factor is due)',
    tags,
    body: z.strictObject({
      response: authenticationResponseSchema,
      refreshTokenDelivery: refreshTokenDeliverySchema,
    }),
    handler: async ({ core, body, meta, request, reply }) => {
      const rp = relyingParty(core.settings);
      const { user, first } = await verifyPasskeyLogin(core, rp, body.response, meta);
      return deliverFirstFactor(
        { core, request, reply, meta },
        user,
        first,
        body.refreshTokenDelivery,
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/webauthn/options',
    access: 'public',
    summary:
      "Options for a passkey as the second factor of a login challenge (the challenge's user's passkeys)",
    tags: ['mfa', ...tags],
    body: z.strictObject({ challenge: tokenSchema }),
    handler: async ({ core, body }) => ({
      options: await secondFactorOptions(core, relyingParty(core.settings), body.challenge),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/passkeys/reauthenticate/options',
    access: 'account',
    // With POST /auth/reauthenticate, the way out of an enrolment-only session for a new passkey.
    duringEnrollment: true,
    summary:
      'Options for the signed-in user to prove themselves again with a passkey (POST /auth/reauthenticate)',
    tags,
    handler: async ({ core, principal }) => ({
      options: await reauthenticationOptions(core, relyingParty(core.settings), principal.userId),
    }),
  }),
];
