import { type JsonObject, toJsonSchema } from './openapi/json-schema.js';
import { problemSchema } from './openapi/problem-schema.js';
import { responsesOf } from './openapi/responses.js';
import { needsCsrfHeader, securityOf, securitySchemes } from './openapi/security.js';
import type { AnyRoute } from './route.js';

const CSRF_REF = { $ref: '#/components/parameters/CsrfToken' };

function parameters(route: AnyRoute): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toJsonSchema(schema);
    const properties = (json.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: property,
      });
    }
  }
  if (needsCsrfHeader(route.access, route.method)) out.push(CSRF_REF);
  return out;
}

const requestBody = (route: AnyRoute): JsonObject =>
  route.body
    ? {
        requestBody: {
          required: !route.body.safeParse(undefined).success,
          content: { 'application/json': { schema: toJsonSchema(route.body) } },
        },
      }
    : {};

const operation = (route: AnyRoute): JsonObject => ({
  summary: route.summary,
  tags: route.tags ?? [],
  'x-access': route.access,
  security: securityOf(route.access),
  parameters: parameters(route),
  ...requestBody(route),
  responses: responsesOf(route),
});

/**
 * The OpenAPI 3.1 document, generated from the same declarations the server
 * runs: the zod schemas that validate requests (and type the handlers'
 * answers), each route's access (its security) and the problem catalogue.
 */
export function buildOpenApi(routes: readonly AnyRoute[], version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse',
      version,
      description:
        'Authentication and authorization. Errors are problem documents (application/problem+json) with a stable `code`.',
    },
    paths,
    components: {
      securitySchemes,
      parameters: {
        CsrfToken: {
          name: 'X-CSRF-Token',
          in: 'header',
          required: false,
          description:
            "The session's CSRF token (GET /auth/csrf, or the sign-in's answer): required when the session cookie authenticates the call.",
          schema: { type: 'string' },
        },
      },
      schemas: { Problem: toJsonSchema(problemSchema) },
    },
  };
}
