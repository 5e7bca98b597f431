import { errorChain } from '../connection-errors.js';
import type { Endpoint } from './endpoints.js';
import { signatureHeader } from './signature.js';

export type SendResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; retryable: boolean };

/** Statuses worth the same request again later: the receiver is busy, down or slow. */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/** Why a request got no answer, as a word for the delivery row and the log (never the URL). */
function noAnswer(error: unknown): string {
  if (errorChain(error).some((e) => e.name === 'TimeoutError')) return 'timeout';
  const coded = errorChain(error).find((e) => typeof e.code === 'string');
  return coded ? String(coded.code) : 'network error';
}

/**
 * One POST of a signed event. Redirects are not followed (a 3xx is a
 * failure: the body and its signature are for this URL), the answer's body is
 * never read, and the whole attempt is bounded by `timeoutMs`.
 */
export async function sendOnce(
  endpoint: Endpoint,
  message: { eventId: string; payload: string },
  timestampSeconds: number,
  timeoutMs: number,
): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Gatehouse-Webhooks/1',
        'webhook-id': message.eventId,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signatureHeader(
          endpoint.key,
          message.eventId,
          timestampSeconds,
          message.payload,
        ),
      },
      body: message.payload,
    });
  } catch (error) {
    return { ok: false, status: null, error: noAnswer(error), retryable: true };
  }
  await response.body?.cancel().catch(() => {});
  const { status } = response;
  if (status >= 200 && status < 300) return { ok: true, status };
  const error = status < 400 ? `status ${status} (redirects are not followed)` : `status ${status}`;
  return { ok: false, status, error, retryable: retryableStatus(status) };
}
