import { z } from 'zod';
import { introspectAccessToken } from '../../authn/tokens/introspect.js';
import { defineRoute } from '../route.js';
import { REVOCATIONS_PERMISSION } from './revocations.js';

/** RFC 7662 §2.1; other parameters a client library adds are ignored, as the RFC allows. */
const body = z.object({
  token: z.string().max(8192),
  /** Accepted and ignored: only access tokens are introspected. */
  token_type_hint: z.string().max(64).optional(),
});

/** Registered where form bodies are parsed (RFC 7662 posts a form); JSON works too. */
export const introspectionRoutes = [
  defineRoute({
    method: 'POST',
    url: '/auth/introspect',
    access: { permission: REVOCATIONS_PERMISSION },
    summary:
      "Token introspection (RFC 7662) for Gatehouse's own access tokens; anything else is inactive",
    tags: ['tokens'],
    body,
    handler: async ({ core, body }) => introspectAccessToken(core, body.token),
  }),
];
