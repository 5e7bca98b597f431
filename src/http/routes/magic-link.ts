import { z } from 'zod';
import { limitMagicLinkRequests } from '../../authn/account/request-limits.js';
import { redeemMagicLink, requestMagicLink } from '../../authn/credentials/magic-link.js';
import { normalizeEmail } from '../../authn/meta.js';
import { deliverFirstFactor } from '../deliver-login.js';
import { defineRoute } from '../route.js';
import { emailSchema, refreshTokenDeliverySchema, tokenSchema } from '../schemas.js';

const tags = ['auth'];

export const magicLinkRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/magic-link',
    access: 'public',
    summary: 'Mail a single-use sign-in link if the account exists; always 202',
    tags,
    body: z.strictObject({ email: emailSchema }),
    successStatus: 202,
    handler: async ({ core, body, meta }) => {
      await limitMagicLinkRequests(core, normalizeEmail(body.email), meta.ip);
      requestMagicLink(core, body.email, meta);
      return { accepted: true };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/magic-link/verify',
    access: 'public',
    summary: 'Sign in with a mailed link token; answers like POST /auth/login',
    tags,
    body: z.strictObject({ token: tokenSchema, refreshTokenDelivery: refreshTokenDeliverySchema }),
    handler: async ({ core, body, meta, request, reply }) => {
      const user = await redeemMagicLink(core, body.token, meta);
      return deliverFirstFactor(
        { core, request, reply, meta },
        user,
        { amr: ['email'] },
        body.refreshTokenDelivery,
      );
    },
  }),
];
