import { z } from 'zod';
import { confirmSmsSetup, removeSmsFactor, startSmsSetup } from '../../authn/mfa/sms/enrolment.js';
import { sendLoginSmsCode } from '../../authn/mfa/sms/login-code.js';
import { E164 } from '../../authn/mfa/sms/phone.js';
import { RECENT_LOGIN } from '../../authn/step-up.js';
import { defineRoute } from '../route.js';
import { idParams, tokenSchema } from '../schemas.js';

const tags = ['mfa'];

const phoneSchema = z
  .string()
  .max(16)
  .regex(E164, 'an E.164 number: +, country code, number, digits only (e.g. +447700900123)');
const codeSchema = z
  .string()
  .max(16)
  .regex(/^\d{6}$/, 'the 6 digits of the texted code');

const factorView = (factor: { id: string; name: string | null; createdAt: number }) => ({
  id: factor.id,
  method: 'sms',
  name: factor.name,
  createdAt: new Date(factor.createdAt).toISOString(),
});

/** Mounted only when `sms.enabled`: off, every one of them is a 404. */
export const smsRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/sms/setup',
    access: 'account',
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary: 'Text a code to a phone number that is to become a second factor',
    tags,
    body: z.strictObject({ phone: phoneSchema }),
    successStatus: 202,
    handler: async ({ core, principal, body, meta }) => {
      const sent = await startSmsSetup(core, principal.userId, body.phone, meta);
      return { sent: true, to: sent.to, expiresIn: sent.expiresInSeconds };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/sms/confirm',
    access: 'account',
    // The confirm is what adds the factor: it demands a recent login, as the TOTP confirm does.
    stepUp: RECENT_LOGIN,
    duringEnrollment: true,
    summary: 'Confirm the texted code: the number becomes the account’s SMS factor',
    tags,
    body: z.strictObject({ code: codeSchema }),
    successStatus: 201,
    handler: async ({ core, principal, body, meta }) => ({
      factor: factorView(await confirmSmsSetup(core, principal.userId, body.code, meta)),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/auth/mfa/sms/:id',
    access: 'account',
    stepUp: RECENT_LOGIN,
    summary: 'Remove the account’s SMS factor',
    tags,
    params: idParams,
    successStatus: 204,
    handler: async ({ core, principal, params, meta }) => {
      await removeSmsFactor(core, principal.userId, params.id, meta);
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/mfa/sms/send',
    access: 'public',
    summary: 'Text a code for a login challenge to its account’s verified number',
    tags,
    body: z.strictObject({ challenge: tokenSchema }),
    successStatus: 202,
    handler: async ({ core, body, meta }) => {
      const sent = await sendLoginSmsCode(core, body.challenge, meta);
      return { sent: true, to: sent.to, expiresIn: sent.expiresInSeconds };
    },
  }),
];
