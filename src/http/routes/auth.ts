import { z } from 'zod';
import { resendEmailVerification, verifyEmail } from '../../authn/account/email-verification.js';
import { register } from '../../authn/account/registration.js';
import { limitRegistration } from '../../authn/account/request-limits.js';
import { verifyPasswordLogin } from '../../authn/credentials/password.js';
import { csrfTokenFor } from '../../authn/csrf.js';
import { currentUser } from '../../authn/current-user.js';
import { logout } from '../../authn/sessions.js';
import { AuthError } from '../../errors.js';
import { clearRefreshCookie, clearSessionCookie } from '../cookies.js';
import { deliverFirstFactor } from '../deliver-login.js';
import { defineRoute } from '../route.js';
import {
  emailSchema,
  passwordSchema,
  refreshTokenDeliverySchema,
  tokenSchema,
  userSchema,
  userView,
} from '../schemas.js';

const credentials = z.strictObject({ email: emailSchema, password: passwordSchema });
const loginBody = credentials.extend({ refreshTokenDelivery: refreshTokenDeliverySchema });
const tags = ['auth'];

const meResponse = z.object({
  user: userSchema.extend({ via: z.enum(['session', 'access_token', 'api_key', 'basic']) }),
  /** How the caller signed in: a session or its access token (API keys and Basic have none). */
  authentication: z
    .object({
      amr: z.array(z.string()).readonly().optional(),
      acr: z.enum(['aal1', 'aal2']).optional(),
      authTime: z.iso.datetime(),
      restriction: z.literal('mfa_enrollment').optional(),
    })
    .optional(),
});

export const authRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/register',
    access: 'public',
    summary: 'Create an account (answers the same for an email that already has one)',
    tags,
    body: credentials,
    successStatus: 201,
    response: z.object({ user: userSchema }),
    problems: ['weak_password', 'rate_limited'],
    handler: async ({ core, body, meta }) => {
      await limitRegistration(core, meta.ip);
      return { user: userView(await register(core, body, meta)) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/login',
    access: 'public',
    summary: 'Sign in with email and password; sets the session cookie',
    tags,
    body: loginBody,
    problems: ['invalid_credentials', 'account_banned', 'email_not_verified', 'rate_limited'],
    handler: async ({ core, body, meta, request, reply }) => {
      const user = await verifyPasswordLogin(core, body.email, body.password, meta);
      return deliverFirstFactor(
        { core, request, reply, meta },
        user,
        { amr: ['pwd'] },
        body.refreshTokenDelivery,
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/logout',
    access: 'authenticated',
    summary: 'End the current session and clear its cookie',
    tags,
    duringEnrollment: true,
    successStatus: 204,
    handler: async ({ core, principal, meta, reply }) => {
      await logout(core, principal, meta);
      clearSessionCookie(reply);
      clearRefreshCookie(reply);
      return undefined;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/me',
    access: 'authenticated',
    summary: 'The caller',
    tags,
    duringEnrollment: true,
    response: meResponse,
    handler: async ({ core, principal }) => {
      const user = { ...userView(await currentUser(core, principal)), via: principal.via };
      const { amr, acr, authTime, restriction } = principal;
      // How the caller signed in, for a session or its access token (API keys and Basic have none).
      const authentication =
        authTime === undefined
          ? undefined
          : { amr, acr, authTime: new Date(authTime).toISOString(), restriction };
      return { user, ...(authentication ? { authentication } : {}) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/csrf',
    access: 'authenticated',
    summary: 'The CSRF token of the current session',
    tags,
    duringEnrollment: true,
    response: z.object({ csrfToken: z.string() }),
    problems: ['invalid_request'],
    handler: async ({ core, principal }) => {
      if (!principal.sessionId)
        throw new AuthError('invalid_request', 'Only a session has a CSRF token.');
      return { csrfToken: csrfTokenFor(core.secretKey, principal.sessionId) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/email/verify',
    access: 'public',
    summary: 'Confirm an email address with the mailed token',
    tags,
    body: z.strictObject({ token: tokenSchema }),
    response: z.object({ verified: z.boolean() }),
    problems: ['invalid_link_token'],
    handler: async ({ core, body, meta }) => {
      await verifyEmail(core, body.token, meta);
      return { verified: true };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/email/verify/resend',
    access: 'public',
    summary:
      'Mail a new verification link: signed in, to your own address (409 when verified); else to {email}, always 202',
    tags,
    body: z.strictObject({ email: emailSchema.optional() }).optional(),
    successStatus: 202,
    response: z.object({ accepted: z.boolean() }),
    problems: ['already_verified', 'rate_limited'],
    handler: async ({ core, principal, body, meta }) => {
      await resendEmailVerification(core, principal, body?.email, meta);
      return { accepted: true };
    },
  }),
];
