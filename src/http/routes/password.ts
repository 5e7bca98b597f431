import { z } from 'zod';
import {
  changePassword,
  forgotPassword,
  resetPassword,
} from '../../authn/account/password-lifecycle.js';
import { limitPasswordResetRequests } from '../../authn/account/request-limits.js';
import { normalizeEmail } from '../../authn/meta.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import { defineRoute } from '../route.js';
import { emailSchema, passwordSchema, tokenSchema } from '../schemas.js';

const tags = ['password'];

export const passwordRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/password/change',
    access: 'account',
    summary: 'Change the password (needs the current one); ends every other session',
    tags,
    body: z.strictObject({ currentPassword: passwordSchema, newPassword: passwordSchema }),
    // Besides the current password: an old session (a shared or stolen device) cannot even try.
    stepUp: RECENT_LOGIN,
    successStatus: 204,
    handler: async ({ core, principal, body, meta }) => {
      await changePassword(
        core,
        { userId: principal.userId, sessionId: principal.sessionId, ...body },
        meta,
      );
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/password/forgot',
    access: 'public',
    summary: 'Mail a reset token if the account exists; always 202',
    tags,
    body: z.strictObject({ email: emailSchema }),
    successStatus: 202,
    handler: async ({ core, body, meta }) => {
      await limitPasswordResetRequests(core, normalizeEmail(body.email), meta.ip);
      await forgotPassword(core, body.email);
      return { accepted: true };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/password/reset',
    access: 'public',
    summary: 'Set a new password with a mailed reset token; ends every session',
    tags,
    body: z.strictObject({ token: tokenSchema, newPassword: passwordSchema }),
    successStatus: 204,
    handler: async ({ core, body, meta }) => {
      await resetPassword(core, body, meta);
      return undefined;
    },
  }),
];
