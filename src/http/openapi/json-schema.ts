import { z } from 'zod';

export type JsonObject = Record<string, unknown>;

/**
 * A zod schema as the JSON Schema (2020-12, the dialect of OpenAPI 3.1) of
 * what travels on the wire: the input side, so a field with a default is
 * optional. Refinements JSON Schema cannot say (our text rules) are left out.
 */
export const toJsonSchema = (schema: z.ZodType): JsonObject => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonObject;
  return rest;
};
