import { currentUser } from '../../authn/current-user.js';
import { generateRecoveryCodes } from '../../authn/mfa/recovery-codes.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import { defineRoute } from '../route.js';

export const recoveryCodeRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/recovery-codes',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary:
      'A new set of 10 recovery codes, in this answer only; the old set stops working (needs another second factor)',
    tags: ['mfa'],
    successStatus: 201,
    handler: async ({ core, principal, meta }) => ({
      codes: await generateRecoveryCodes(core, await currentUser(core, principal), meta),
    }),
  }),
];
