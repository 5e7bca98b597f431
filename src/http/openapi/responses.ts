import type { ErrorCode } from '../../errors.js';
import { problemCatalog } from '../problem.js';
import type { AnyRoute } from '../route.js';
import { type JsonObject, toJsonSchema } from './json-schema.js';
import { problemCodes } from './problems.js';

const PROBLEM_REF = '#/components/schemas/Problem';
const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer' },
  },
};
/** What a status says beside its body (sendProblem, the rate limiter, the outage mapping). */
const HEADERS: Readonly<Record<number, JsonObject>> = {
  401: {
    'WWW-Authenticate': {
      description:
        'The schemes to authenticate with (RFC 9110), or what a step-up needs (RFC 9470)',
      schema: { type: 'string' },
    },
  },
  429: retryAfter,
  503: retryAfter,
};

function problemResponse(status: number, codes: readonly ErrorCode[]): JsonObject {
  const description = codes.map((code) => `\`${code}\`: ${problemCatalog[code].title}`).join('; ');
  return {
    description,
    ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: PROBLEM_REF }, { properties: { code: { enum: codes } } }] },
      },
    },
  };
}

function successResponse(route: AnyRoute): [string, JsonObject] {
  const status = route.successStatus ?? 200;
  if (status === 204) return ['204', { description: 'Done; no body' }];
  const body = route.response
    ? { content: { 'application/json': { schema: toJsonSchema(route.response) } } }
    : {};
  return [String(status), { description: route.summary, ...body }];
}

/** The success answer, each status the route's problems can have, and `default` for the rest (413, 415, 500…). */
export function responsesOf(route: AnyRoute): JsonObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of problemCodes(route)) {
    const { status } = problemCatalog[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const problems = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, codes]) => [String(status), problemResponse(status, codes)]);
  return {
    ...Object.fromEntries([successResponse(route), ...problems]),
    default: {
      description:
        'Any other problem (a body too large, an unsupported media type, a server fault)',
      content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
    },
  };
}
