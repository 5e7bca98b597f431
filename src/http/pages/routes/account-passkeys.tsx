import { z } from 'zod';
import { currentUser } from '../../../authn/current-user.js';
import { removeUserPasskey, renameUserPasskey } from '../../../authn/passkeys/management.js';
import { RECENT_LOGIN } from '../../../authn/step-up.js';
import { idParams, nameSchema } from '../../schemas.js';
import { definePage, redirect } from '../page.js';
import { refusalOf } from '../views/refusal.js';
import { securityPage } from './account-security.js';

/** Adding a passkey is WebAuthn, done by browser/passkey-register.ts against the JSON API. */
export const accountPasskeyPages = [
  definePage({
    method: 'POST',
    url: '/account/passkeys/:id/rename',
    access: 'account',
    params: idParams,
    form: z.object({ name: nameSchema(100) }),
    handler: async (ctx) => {
      const { core, principal, params, form } = ctx;
      if (!form.ok) return securityPage(ctx, { message: form.errors.name ?? '', status: 400 });
      // Another user's passkey is not found (the 404 page), and stays as it was.
      await renameUserPasskey(core, principal.userId, params.id, form.data.name);
      return redirect('/account/security?notice=passkey_renamed');
    },
  }),
  definePage({
    method: 'POST',
    url: '/account/passkeys/:id/remove',
    access: 'account',
    params: idParams,
    stepUp: RECENT_LOGIN,
    handler: async (ctx) => {
      const { core, principal, params, meta, shell } = ctx;
      try {
        await removeUserPasskey(core, await currentUser(core, principal), params.id, meta);
      } catch (error) {
        const refusal = refusalOf(error, ['conflict']);
        return securityPage(ctx, {
          message: shell.t.account.security.lastWayIn,
          status: refusal.status,
        });
      }
      return redirect('/account/security?notice=passkey_removed');
    },
  }),
];
