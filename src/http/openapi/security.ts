import { SESSION_COOKIE } from '../cookies.js';
import type { Access } from '../route.js';
import type { JsonObject } from './json-schema.js';

/** The credentials of DESIGN.md ("Credentials accepted on every protected route"), one scheme each. */
export const securitySchemes = {
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      "The browser session, set by a sign-in (POST /auth/login). An unsafe method (POST, PUT, PATCH, DELETE) sent with it also needs the session's CSRF token in X-CSRF-Token (GET /auth/csrf).",
  },
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token, from a sign-in or POST /auth/refresh.',
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'An API key (POST /auth/api-keys). Also accepted as `Authorization: Bearer <key>` and as HTTP Basic with the user name `apikey`.',
  },
  basic: {
    type: 'http',
    scheme: 'basic',
    description:
      'A service account (user name and secret), or `apikey` and an API key. Refused over plain HTTP except from loopback.',
  },
} as const satisfies Record<string, JsonObject>;

type SchemeName = keyof typeof securitySchemes;
const requirement = (...names: SchemeName[]): JsonObject[] => names.map((name) => ({ [name]: [] }));

/**
 * What the route's guard accepts (guard.ts enforceAccess), as alternatives:
 * any credential, a signed-in user (never a key or Basic), the browser
 * session only; a public route needs none.
 */
export function securityOf(access: Access): JsonObject[] {
  if (access === 'public') return [];
  if (access === 'session') return requirement('sessionCookie');
  if (access === 'account') return requirement('sessionCookie', 'bearerToken');
  return requirement('sessionCookie', 'bearerToken', 'apiKey', 'basic');
}

/** True when a cookie-authenticated call of this route needs X-CSRF-Token (guard.ts enforceCsrf). */
export const needsCsrfHeader = (access: Access, method: string): boolean =>
  access !== 'public' && method !== 'GET';
