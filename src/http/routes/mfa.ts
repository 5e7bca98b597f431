import { z } from 'zod';
import { completeSecondFactor } from '../../authn/login/flow.js';
import { SECOND_FACTOR_METHODS } from '../../authn/mfa/second-factor.js';
import { SESSION_COOKIE } from '../cookies.js';
import { deliverLogin } from '../deliver-login.js';
import { defineRoute } from '../route.js';
import { nameSchema, refreshTokenDeliverySchema, tokenSchema } from '../schemas.js';

/** A WebAuthn assertion is checked by SimpleWebAuthn; here it only has to be a bounded object. */
const assertionSchema = z.record(z.string(), z.unknown());

const verifyBody = z
  .strictObject({
    challenge: tokenSchema,
    method: z.enum(SECOND_FACTOR_METHODS),
    code: nameSchema(64).optional(),
    assertion: assertionSchema.optional(),
    refreshTokenDelivery: refreshTokenDeliverySchema,
  })
  .refine((body) => (body.method === 'webauthn' ? body.assertion : body.code) !== undefined, {
    message: 'a webauthn step sends an assertion; the others send a code',
  });

export const mfaRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/verify',
    access: 'public',
    summary: 'Complete a sign-in with a second factor; answers like POST /auth/login',
    tags: ['mfa'],
    body: verifyBody,
    handler: async ({ core, body, meta, request, reply }) => {
      const outcome = await completeSecondFactor(
        core,
        {
          challenge: body.challenge,
          method: body.method,
          proof: { code: body.code, assertion: body.assertion },
        },
        meta,
        { previousSessionToken: request.cookies[SESSION_COOKIE] },
      );
      return deliverLogin(core, reply, outcome, body.refreshTokenDelivery);
    },
  }),
];
