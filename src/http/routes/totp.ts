import { z } from 'zod';
import { currentUser } from '../../authn/current-user.js';
import { confirmTotp, removeTotp, setupTotp } from '../../authn/mfa/totp-enrolment.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import { defineRoute } from '../route.js';
import { idParams, nameSchema } from '../schemas.js';

const tags = ['mfa'];

export const totpRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/totp/setup',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary:
      'Start an authenticator app: its secret, otpauth:// URI and QR code (SVG), in this answer only; pending until confirmed',
    tags,
    handler: async ({ core, principal }) => {
      const setup = await setupTotp(core, await currentUser(core, principal));
      return {
        factorId: setup.factorId,
        secret: setup.secret,
        uri: setup.uri,
        qrSvg: setup.qrSvg,
        expiresIn: setup.expiresInSeconds,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/totp/confirm',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary: 'Activate the pending authenticator app with a code from it',
    tags,
    body: z.strictObject({ code: nameSchema(64) }),
    handler: async ({ core, principal, body, meta }) =>
      confirmTotp(core, await currentUser(core, principal), body.code, meta),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/auth/mfa/totp/:id',
    access: 'account',
    stepUp: RECENT_LOGIN,
    summary: 'Remove an authenticator app (or drop an unconfirmed setup)',
    tags,
    params: idParams,
    successStatus: 204,
    handler: async ({ core, principal, params, meta }) => {
      await removeTotp(core, await currentUser(core, principal), params.id, meta);
      return undefined;
    },
  }),
];
