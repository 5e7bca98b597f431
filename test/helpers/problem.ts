import { expect } from 'vitest';
import type { Response } from './client.js';

/** Every error is a problem document with the same fields. */
export function expectProblem(response: Response, status: number, code?: string): void {
  const label = `${status} ${response.text.slice(0, 200)}`;
  expect(response.status, label).toBe(status);
  expect(response.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
  expect(response.body, label).toMatchObject({ status });
  for (const field of ['title', 'code', 'detail'] as const) {
    expect(typeof response.body[field], field).toBe('string');
    expect((response.body[field] as string).length, field).toBeGreaterThan(0);
  }
  if (code) expect(response.body.code, label).toBe(code);
  // Gatehouse's answers name their request (the verifier middleware's, tested with this too, do not).
  const requestId = response.headers.get('x-request-id');
  if (requestId !== null) expect(response.body.requestId, label).toBe(requestId);
}

/**
 * An answer's body without its request id, for tests that two answers say the
 * same (an unknown account and a wrong password): each request has its own id.
 */
export function sameAnswer(response: Response): string {
  const { requestId: _requestId, ...rest } = JSON.parse(response.text) as Record<string, unknown>;
  return JSON.stringify(rest);
}
