import { z } from 'zod';
import { type ReauthProof, reauthenticate } from '../../authn/login/reauthenticate.js';
import { SESSION_COOKIE, setSessionCookie } from '../cookies.js';
import { defineRoute } from '../route.js';
import { nameSchema, passwordSchema } from '../schemas.js';

const code = nameSchema(64);
/** A WebAuthn assertion is checked by SimpleWebAuthn; here it only has to be a bounded object. */
const assertion = z.record(z.string(), z.unknown());

const reauthBody = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('password'), password: passwordSchema }),
  // Not SMS: a code would need a send route of its own, and SMS is the last resort, not a step-up.
  z.strictObject({ method: z.enum(['totp', 'recovery_code']), code }),
  z.strictObject({ method: z.literal('webauthn'), assertion }),
]);

const proofOf = (body: z.output<typeof reauthBody>): ReauthProof => {
  if (body.method === 'password') return { method: 'password', password: body.password };
  if (body.method === 'webauthn')
    return { method: 'webauthn', proof: { assertion: body.assertion } };
  return { method: body.method, proof: { code: body.code } };
};

export const reauthenticateRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/reauthenticate',
    access: 'account',
    summary:
      "Prove a factor again (step-up): renews the session's amr, acr and auth time; a fresh access token (and cookie)",
    tags: ['auth'],
    // The way out of an enrolment-only session: re-authenticate with the new factor (aal2).
    duringEnrollment: true,
    body: reauthBody,
    handler: async ({ core, principal, body, meta, request, reply }) => {
      const done = await reauthenticate(
        core,
        principal,
        proofOf(body),
        meta,
        request.cookies[SESSION_COOKIE],
      );
      if (done.sessionToken !== null) {
        const leftSeconds = Math.floor((done.absoluteExpiresAt - core.clock.now()) / 1000);
        setSessionCookie(reply, done.sessionToken, Math.max(0, leftSeconds));
      }
      return {
        csrfToken: done.csrfToken,
        ...done.access,
        authentication: {
          amr: done.auth.amr,
          acr: done.auth.acr,
          authTime: new Date(done.auth.authTime).toISOString(),
          ...(done.restriction === null ? {} : { restriction: done.restriction }),
        },
      };
    },
  }),
];
