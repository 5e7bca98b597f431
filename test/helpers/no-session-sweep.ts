import { REFRESH_COOKIE, SESSION_COOKIE } from '../../src/http/cookies.js';
import { Client } from './client.js';

interface Operation {
  security?: unknown[];
  'x-access'?: unknown;
}

export interface RouteRef {
  method: string;
  path: string;
}

/** Every route of the server's OpenAPI document that needs a credential (security not empty). */
export async function protectedRoutes(baseUrl: string): Promise<RouteRef[]> {
  const doc = await new Client(baseUrl).get<{ paths: Record<string, Record<string, Operation>> }>(
    '/openapi.json',
  );
  if (doc.status !== 200) throw new Error(`openapi: ${doc.status}`);
  const routes: RouteRef[] = [];
  for (const [path, operations] of Object.entries(doc.body.paths))
    for (const [method, operation] of Object.entries(operations))
      if ((operation.security ?? []).length > 0)
        routes.push({ method: method.toUpperCase(), path });
  // Signing out last: a credential that did work would otherwise be dead for the routes after it.
  const last = (route: RouteRef) => (route.path.includes('logout') ? 1 : 0);
  return routes.sort((a, b) => last(a) - last(b));
}

/** Every way a client could present what a first step handed it as a credential. */
const presentations = (value: string): Record<string, Record<string, string>> => ({
  nothing: {},
  bearer: { authorization: `Bearer ${value}` },
  'session cookie': { cookie: `${SESSION_COOKIE}=${value}` },
  'session cookie + CSRF header': { cookie: `${SESSION_COOKIE}=${value}`, 'x-csrf-token': value },
  'refresh cookie': { cookie: `${REFRESH_COOKIE}=${value}` },
  'api key': { 'x-api-key': value },
});

/**
 * Calls every protected route with every presentation of every value (a
 * challenge, anything else the first step's answer held) and returns the
 * calls that did not answer 401: an empty list means no route took any of
 * them for a signed-in caller. Path parameters get a well-formed id; bodies
 * are `{}` (a route that validated its body before its caller would answer
 * 400 and show up here).
 */
export async function callsNotRefused(
  baseUrl: string,
  values: readonly string[],
): Promise<string[]> {
  const routes = await protectedRoutes(baseUrl);
  if (routes.length < 10) throw new Error(`only ${routes.length} protected routes listed`);
  const id = '00000000-0000-4000-8000-000000000000';
  const misses: string[] = [];
  for (const value of values)
    for (const route of routes) {
      const url = route.path.replace(/\{\w+\}/g, id);
      for (const [how, headers] of Object.entries(presentations(value))) {
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const response = await fetch(baseUrl + url, {
          method: route.method,
          headers: hasBody ? { ...headers, 'content-type': 'application/json' } : headers,
          ...(hasBody ? { body: '{}' } : {}),
        });
        const text = await response.text();
        const code = (() => {
          try {
            return (JSON.parse(text) as { code?: string }).code;
          } catch {
            return undefined;
          }
        })();
        if (response.status !== 401 || response.headers.getSetCookie().length > 0)
          misses.push(`${route.method} ${route.path} (${how}): ${response.status} ${code ?? ''}`);
      }
    }
  return misses;
}
