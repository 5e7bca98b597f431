import type { FastifyInstance } from 'fastify';
import { Client } from './client.js';

export interface ProblemContent {
  'application/problem+json': {
    schema: { allOf?: [{ $ref: string }, { properties: { code: { enum: string[] } } }] };
  };
}
export interface OpenApiResponse {
  description: string;
  headers?: Record<string, unknown>;
  content?: Partial<ProblemContent> & { 'application/json'?: { schema: unknown } };
}
export interface OpenApiOperation {
  summary: string;
  'x-access': unknown;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name?: string; in?: string; $ref?: string }>;
  requestBody?: { required: boolean; content: Record<string, unknown> };
  responses?: Record<string, OpenApiResponse>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes: Record<string, Record<string, string>>;
    parameters: Record<string, unknown>;
    schemas: Record<string, unknown>;
  };
}

export interface DocumentedOperation {
  method: string;
  path: string;
  operation: OpenApiOperation;
}

export async function fetchOpenApi(url: string): Promise<OpenApiDocument> {
  const response = await new Client(url).get<OpenApiDocument>('/openapi.json');
  if (response.status !== 200) throw new Error(`openapi: ${response.status}`);
  return response.body;
}

export const operationsOf = (doc: OpenApiDocument): DocumentedOperation[] =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );

/** The problem codes the document says this operation answers with this status. */
export const documentedCodes = (
  operation: OpenApiOperation | undefined,
  status: number,
): string[] =>
  operation?.responses?.[String(status)]?.content?.['application/problem+json']?.schema.allOf?.[1]
    .properties.code.enum ?? [];

/** A path template with every parameter filled in (`/auth/sessions/{id}` → `/auth/sessions/x`). */
export const concretePath = (path: string, value = 'x'): string => path.replace(/\{\w+\}/g, value);

/**
 * Every route Fastify serves, as `METHOD /path/{param}`, read off its route
 * tree (printRoutes draws one node a line, each indented 4 characters under
 * its parent and naming the part of the path it adds). HEAD is left out:
 * Fastify adds it to every GET.
 */
export function fastifyRoutes(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ]{4})*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes;
}
