import { z } from 'zod';
import type { ErrorCode } from '../../errors.js';
import { type Problem, problemCatalog } from '../problem.js';

const codes = Object.keys(problemCatalog) as [ErrorCode, ...ErrorCode[]];

/** The problem document (RFC 9457) every API error answers with; `code` is one of the catalogue's. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: z.enum(codes),
  detail: z.string(),
  requestId: z
    .string()
    .optional()
    .describe('The request id, also sent as x-request-id and logged on the request’s lines'),
  maxAge: z
    .int()
    .optional()
    .describe('step_up_required: sign in again if the last login is older than this (seconds)'),
  acrValues: z.string().optional().describe('step_up_required: the level the login must reach'),
});

/** Held to problem.ts by the compiler: a Problem the server sends is a document of this schema. */
const _sameShape: Problem extends z.output<typeof problemSchema> ? true : never = true;
