import { z } from 'zod';
import { completeSecondFactor } from '../../authn/login/flow.js';
import { listFactors } from '../../authn/mfa/list-factors.js';
import { type FactorSummary, SECOND_FACTOR_METHODS } from '../../authn/mfa/second-factor.js';
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

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const factorView = (factor: FactorSummary) => ({
  method: factor.method,
  id: factor.id,
  name: factor.name,
  createdAt: iso(factor.createdAt),
  lastUsedAt: iso(factor.lastUsedAt),
});

export const mfaRoutes = [
  defineRoute({
    method: 'GET',
    url: '/auth/mfa',
    access: 'account',
    duringEnrollment: true,
    summary: "The caller's second factors (never a secret) and how many recovery codes remain",
    tags: ['mfa'],
    handler: async ({ core, principal }) => {
      const { factors, recoveryCodesRemaining } = await listFactors(core, principal.userId);
      return { factors: factors.map(factorView), recoveryCodesRemaining };
    },
  }),
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
