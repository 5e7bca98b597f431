import { GatehouseError } from './errors.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const optionalNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** `Retry-After` in seconds (the HTTP-date form is not something Gatehouse sends). */
function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** The body as JSON, or undefined when it is not JSON (an empty body, a proxy's HTML page). */
export async function readJson(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text()) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A problem document's `code` without consuming the response (it is read from
 * a clone), or undefined when the body is not a problem document.
 */
export async function problemCodeOf(response: Response): Promise<string | undefined> {
  const body = await readJson(response.clone());
  return isObject(body) ? optionalString(body.code) : undefined;
}

/** A failed answer as a typed error: the problem's `code`, else `unexpected_response`. */
export async function errorFrom(response: Response): Promise<GatehouseError> {
  const body = await readJson(response);
  const fields = { status: response.status, retryAfterSeconds: retryAfterOf(response) };
  if (!isObject(body) || typeof body.code !== 'string') {
    return new GatehouseError('unexpected_response', {
      ...fields,
      detail: `HTTP ${response.status} without a problem document`,
    });
  }
  return new GatehouseError(body.code, {
    ...fields,
    detail: optionalString(body.detail),
    maxAgeSeconds: optionalNumber(body.maxAge),
    acrValues: optionalString(body.acrValues),
  });
}

/** A request that got no answer at all (offline, DNS, CORS refused by the browser). */
export const networkError = (cause: unknown): GatehouseError =>
  new GatehouseError(
    'network_error',
    { status: 0, detail: 'No answer from the server' },
    { cause },
  );

/** The parsed JSON of a successful answer, as an object; anything else is `unexpected_response`. */
export async function jsonObjectOf(response: Response): Promise<Json> {
  if (response.status === 204) return {};
  const body = await readJson(response);
  if (isObject(body)) return body;
  throw new GatehouseError('unexpected_response', {
    status: response.status,
    detail: 'The answer was not a JSON object',
  });
}
